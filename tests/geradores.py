"""Test data generators: valid CPFs computed here, never real people's."""

import random


def digitos_verificadores(base9: str) -> str:
    """The two CPF check digits of a 9-digit base."""
    nums = [int(c) for c in base9]
    for peso_inicial in (10, 11):
        soma = sum(n * p for n, p in zip(nums, range(peso_inicial, 1, -1), strict=True))
        resto = soma % 11
        nums.append(0 if resto < 2 else 11 - resto)
    return "".join(str(n) for n in nums[9:])


def gerar_cpf(rng: random.Random, mascarado: bool = False, zero_inicial: bool = False) -> str:
    """A random valid CPF (not all-equal digits); ``zero_inicial``: starting with 0,
    the case a spreadsheet must keep as text."""
    while True:
        base = "".join(str(rng.randint(0, 9)) for _ in range(9))
        if zero_inicial:
            base = "0" + base[1:]
        if len(set(base)) > 1:
            break
    cpf = base + digitos_verificadores(base)
    return f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}" if mascarado else cpf

"""CPF and e-mail masking of any text: one place for the concept.

``mascarar(texto)`` rewrites CPFs as ``***.982.247-**`` and e-mail addresses
as ``m***@gmail.com``. What counts as a CPF: ``xxx.xxx.xxx-xx`` always (a
mistyped CPF is still personal data); 11 digits written otherwise (bare,
with spaces or other dashes) only when the check digits are valid, so that
other numbers (protocols, process numbers, timestamps) stay readable.
``bot.ops.logmask`` applies it to every log line; the NTS panel to the
messages it shows.
"""

from __future__ import annotations

import re
import unicodedata

# 11 digits (any script: NFKC/Unicode digits are what a validator would accept)
# in groups 3-3-3-2 with up to 3 separators between groups.
_SEP = r"[ \t.\u00a0\-\u2010-\u2014]{0,3}"
_CPF = re.compile(rf"(?<!\d)(\d{{3}}){_SEP}(\d{{3}}){_SEP}(\d{{3}}){_SEP}(\d{{2}})(?!\d)")
_CPF_CANONICO = re.compile(r"\d{3}\.\d{3}\.\d{3}-\d{2}")
# local part: RFC 5322 atoms minus "/?=&" (so URLs around an address stay readable)
_EMAIL = re.compile(
    r"(?<![\w.!#$%*+^`{|}~-])([\w!#$%*+^`{|}~-][\w.!#$%'*+^`{|}~-]*)@"
    r"([\w-]+(?:\.[\w-]+)+)"
)


def _ascii(digitos: str) -> str:
    return "".join(str(unicodedata.digit(c)) for c in digitos)


def cpf_valido(digitos: str) -> bool:
    """True for 11 ASCII digits, not all equal, with valid check digits."""
    if len(digitos) != 11 or not digitos.isdigit() or len(set(digitos)) == 1:
        return False
    from validate_docbr import CPF  # the same check as bot.solicitacoes.validacao

    return CPF().validate(digitos)


def _cpf(match: re.Match[str]) -> str:
    digitos = _ascii("".join(match.groups()))
    if _CPF_CANONICO.fullmatch(match.group(0)) or cpf_valido(digitos):
        return f"***.{digitos[3:6]}.{digitos[6:9]}-**"
    return match.group(0)


def _email(match: re.Match[str]) -> str:
    return f"{match.group(1)[0]}***@{match.group(2).lower()}"


def mascarar(texto: str) -> str:
    """``texto`` with CPFs and e-mail addresses masked."""
    if not texto:
        return texto
    if "@" in texto:
        texto = _EMAIL.sub(_email, texto)
    if any(c.isdigit() for c in texto):
        texto = _CPF.sub(_cpf, texto)
    return texto

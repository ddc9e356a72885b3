"""Validation of every field a request collects (``docs/fonte/requests.md``).

One function per field type of ``bot.solicitacoes.tipos.Campo.tipo``. Each takes
whatever the requester typed (any object: None, huge strings, control
characters...) and returns a ``Resultado``; none of them raises. A failed
result carries ``erro``, a Brazilian-Portuguese message saying what is wrong
and how to fix it (with an example), and ``codigo``, a short reason for
code. No Rasa here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from validate_docbr import CPF as _CPF

from bot.solicitacoes.emails import corrigir_dominio, eh_coletivo, eh_problematico
from bot.solicitacoes.semelhanca import chave
from bot.solicitacoes.tipos import FUSO
from bot.solicitacoes.vocabulario import PULAR
from bot.text import strip_accents

if TYPE_CHECKING:  # pragma: no cover
    from bot.solicitacoes.catalogos import CatalogoCargos, CatalogoUnidades
    from bot.solicitacoes.tipos import Campo

LIMITE_ANEXO = 10 * 1024 * 1024
EXEMPLO_CPF = "529.982.247-25"
EXEMPLO_EMAIL = "maria.silva@gmail.com"
EXEMPLO_NOME = "Maria da Silva Santos"
EXEMPLO_PROCESSO = "E:02000.0000003030/2020"


@dataclass(frozen=True)
class Resultado:
    """Outcome of one validation.

    ``ok`` with the normalised ``valor``; otherwise ``erro`` (message for the
    requester), ``codigo`` (reason for code) and maybe ``sugestoes``
    (corrected values to offer). An accepted value may still carry an
    informative ``codigo`` (e.g. "provedor_problematico", "omitido").
    """

    ok: bool
    valor: Any = None
    erro: str | None = None
    codigo: str | None = None
    sugestoes: tuple[str, ...] = ()


def _ok(valor: Any, codigo: str | None = None) -> Resultado:
    return Resultado(True, valor, None, codigo)


def _falha(codigo: str, erro: str, sugestoes: Iterable[str] = ()) -> Resultado:
    return Resultado(False, None, unicodedata.normalize("NFC", erro), codigo, tuple(sugestoes))


# ---------------------------------------------------------------- cleaning

_QUEBRAS = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028\u2029]")
_MANTIDOS_CF = frozenset("\u200c\u200d")  # zero-width (non-)joiner: emoji sequences
_UMA_LINHA = re.compile(r"\s+")


def _como_texto(valor: Any) -> str:
    """Any input as a str (None -> "", bytes decoded leniently)."""
    if valor is None:
        return ""
    if isinstance(valor, str):
        return valor
    if isinstance(valor, (bytes, bytearray, memoryview)):
        return bytes(valor).decode("utf-8", errors="replace")
    try:
        return str(valor)
    except Exception:  # a hostile __str__ must not break validation
        return ""


def _proibido(caractere: str) -> bool:
    categoria = unicodedata.category(caractere)
    if categoria in ("Cc", "Cs"):
        return True
    if categoria == "Cf":
        return caractere not in _MANTIDOS_CF
    codigo = ord(caractere)
    return 0xFDD0 <= codigo <= 0xFDEF or (codigo & 0xFFFE) == 0xFFFE


def limpar_texto(texto: Any) -> str:
    """Remove control characters, keeping line breaks.

    NFC-normalised; CR/CRLF and other line separators become "\\n", tabs and
    other spaces become " "; C0/C1 controls (null bytes included), format
    characters (bidi overrides, zero-width space, BOM), surrogates and
    non-characters are removed. Does not trim.
    """
    s = unicodedata.normalize("NFC", _como_texto(texto))
    s = _QUEBRAS.sub("\n", s).replace("\t", " ")
    if s.isprintable():
        return s
    saida = []
    for caractere in s:
        if caractere == "\n":
            saida.append(caractere)
        elif unicodedata.category(caractere) == "Zs":
            saida.append(" ")
        elif not _proibido(caractere):
            saida.append(caractere)
    return "".join(saida)


def _uma_linha(texto: Any) -> str:
    """Cleaned text on one line, single spaces, trimmed."""
    return _UMA_LINHA.sub(" ", limpar_texto(texto)).strip()


def _mostrar(texto: str, limite: int = 40) -> str:
    """A short, quoted echo of what the requester typed."""
    s = _uma_linha(texto)
    return f"“{s if len(s) <= limite else s[: limite - 1] + '…'}”"


def _numero(n: int) -> str:
    """Integer with Brazilian thousands separator (2345 -> "2.345")."""
    return f"{n:,}".replace(",", ".")


def _ou(itens: list[str]) -> str:
    """ "a", "a ou b", "a, b ou c"."""
    if len(itens) <= 1:
        return "".join(itens)
    return ", ".join(itens[:-1]) + " ou " + itens[-1]


# ---------------------------------------------------------------- nome

_PARTICULAS = frozenset({"da", "das", "de", "do", "dos", "e", "di", "du"})
_APOSTROFOS = str.maketrans({c: "'" for c in "’‘`´ʼ′"})
_HIFENS = str.maketrans({c: "-" for c in "‐‑‒–—"})


def _letra_latina(caractere: str) -> bool:
    return caractere.isalpha() and "LATIN" in unicodedata.name(caractere, "")


def _invalidos_nome(nome: str) -> list[str]:
    """Descriptions of the characters a name may not have (at most 5)."""
    vistos: list[str] = []
    for caractere in nome:
        if _letra_latina(caractere) or caractere in " '-":
            continue
        if caractere.isdigit():
            descricao = "números"
        elif caractere.isprintable():
            descricao = f"“{caractere}”"
        else:
            descricao = f"U+{ord(caractere):04X}"
        if descricao not in vistos:
            vistos.append(descricao)
        if len(vistos) == 5:
            break
    return vistos


def _capitalizar(palavra: str, primeira: bool) -> str:
    """ "DA" -> "da", "d'ávila" -> "d'Ávila", "ana-clara" -> "Ana-Clara"."""
    minuscula = palavra.lower()
    if not primeira and minuscula in _PARTICULAS:
        return minuscula
    partes = re.split(r"([-'])", minuscula)
    saida = []
    for i, parte in enumerate(partes):
        apostrofo_segue = i + 1 < len(partes) and partes[i + 1] == "'"
        if (
            parte in ("-", "'")
            or (i > 0 and parte in _PARTICULAS)
            or (parte == "d" and apostrofo_segue and not (primeira and i == 0))
        ):
            saida.append(parte)
        else:
            saida.append(parte[:1].upper() + parte[1:])
    return "".join(saida)


def validar_nome(texto: Any) -> Resultado:
    """Full name: ≥2 words of letters, apostrophe, hyphen; 5-120 characters."""
    s = _uma_linha(texto).translate(_APOSTROFOS).translate(_HIFENS)
    s = re.sub(r"\s*([-'])\s*", r"\1", s)
    exemplo = f"Exemplo: {EXEMPLO_NOME}."
    if not s:
        return _falha("vazio", f"Informe o nome completo da pessoa. {exemplo}")
    if len(s) > 120:
        return _falha(
            "longo",
            f"O nome pode ter no máximo 120 caracteres; você enviou "
            f"{_numero(len(s))}. Envie só o nome completo. {exemplo}",
        )
    invalidos = _invalidos_nome(s)
    if invalidos:
        return _falha(
            "formato",
            "O nome deve ter só letras (com ou sem acento), espaços, "
            f"apóstrofo (') e hífen (-). Retire: {', '.join(invalidos)}. "
            f"{exemplo}",
        )
    palavras = s.split(" ")
    if any(not parte for p in palavras for parte in re.split(r"[-']", p)):
        return _falha(
            "formato",
            "O hífen e o apóstrofo devem ficar entre letras, como em "
            f"Ana-Clara ou D'Ávila. {exemplo}",
        )
    substantivas = [
        p for p in palavras if p.lower() not in _PARTICULAS and sum(c.isalpha() for c in p) >= 2
    ]
    if len(substantivas) < 2:
        return _falha(
            "incompleto", f"Informe o nome completo, com nome e sobrenome, sem abreviar. {exemplo}"
        )
    if len(s) < 5:
        return _falha("curto", f"O nome precisa ter pelo menos 5 caracteres. {exemplo}")
    nome = " ".join(_capitalizar(p, i == 0) for i, p in enumerate(palavras))
    return _ok(unicodedata.normalize("NFC", nome))


# ---------------------------------------------------------------- CPF

_SEPARADORES_CPF = re.compile(r"[\s.\-‐‑‒–—]")


def _formatar_cpf(digitos: str) -> str:
    return f"{digitos[:3]}.{digitos[3:6]}.{digitos[6:9]}-{digitos[9:]}"


def validar_cpf(texto: Any) -> Resultado:
    """CPF with or without mask; 11 digits, not all equal, valid check digits."""
    s = unicodedata.normalize("NFKC", _uma_linha(texto))
    exemplo = f"Exemplo: {EXEMPLO_CPF} ou {EXEMPLO_CPF.replace('.', '').replace('-', '')}."
    if len(s) > 40:
        return _falha("formato", f"Envie só o número do CPF, com 11 dígitos. {exemplo}")
    s = re.sub(r"^cpf\s*[:\-]?\s*", "", s, flags=re.IGNORECASE)
    digitos = _SEPARADORES_CPF.sub("", s)
    if not digitos:
        return _falha("vazio", f"Informe o CPF da pessoa (11 dígitos). {exemplo}")
    if any(c not in "0123456789" for c in digitos):
        return _falha(
            "formato", f"O CPF deve ter só números (pontos e hífen são opcionais). {exemplo}"
        )
    if len(digitos) != 11:
        return _falha(
            "digitos", f"O CPF precisa ter 11 dígitos; você enviou {len(digitos)}. {exemplo}"
        )
    if len(set(digitos)) == 1:
        return _falha(
            "repetido",
            "Um CPF com todos os dígitos iguais não é válido. Confira o "
            f"número no documento da pessoa. {exemplo}",
        )
    if not _CPF().validate(digitos):
        return _falha(
            "verificador",
            "Esse CPF não é válido: os dígitos verificadores (os dois "
            "últimos) não conferem. Provavelmente algum número foi "
            "digitado errado; confira no documento e envie de novo. "
            f"{exemplo}",
        )
    return _ok(_formatar_cpf(digitos))


def mascarar_cpf(cpf: Any) -> str:
    """CPF for logs: "***.982.247-**" (only the middle six digits shown)."""
    digitos = "".join(c for c in _como_texto(cpf) if c in "0123456789")
    if len(digitos) != 11:
        return "***.***.***-**"
    return f"***.{digitos[3:6]}.{digitos[6:9]}-**"


def mascarar_email(email: Any) -> str:
    """E-mail for logs: "m***@gmail.com"."""
    s = re.sub(r"\s+", "", limpar_texto(email))
    if s.count("@") != 1:
        return "***"
    local, dominio = s.split("@")
    if not local or not dominio or len(dominio) > 253:
        return "***"
    return f"{local[0]}***@{dominio.lower()}"


# ---------------------------------------------------------------- e-mail

_LOCAL = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*", re.IGNORECASE
)
_ROTULO = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
MENSAGEM_PROVEDOR = (
    "Endereços Hotmail, Outlook, Live e MSN têm apresentado problemas para receber os "
    "e-mails do SEI (credenciais de acesso e troca de senha), o que atrasa o cadastro. "
    f"Se possível, informe outro e-mail pessoal (por exemplo, {EXEMPLO_EMAIL}). Se a pessoa "
    "não tiver outro endereço, confirme que deseja usar este mesmo."
)


def _dominio_valido(dominio: str) -> bool:
    rotulos = dominio.split(".")
    return (
        len(dominio) <= 253
        and len(rotulos) >= 2
        and all(_ROTULO.fullmatch(r) for r in rotulos)
        and rotulos[-1].isalpha()
        and len(rotulos[-1]) >= 2
    )


def _preparar_email(texto: Any) -> str:
    s = re.sub(r"\s+", "", limpar_texto(texto))
    s = re.sub(r"^mailto:", "", s, flags=re.IGNORECASE)
    dentro = re.search(r"<([^<>]*)>", s)  # "Maria <maria@gmail.com>"
    if dentro:
        s = re.sub(r"^mailto:", "", dentro.group(1), flags=re.IGNORECASE)
    return s.strip("<>\"'").rstrip(".,;:")


def validar_email(texto: Any, aceitar_provedor_problematico: bool = False) -> Resultado:
    """Personal e-mail: valid syntax, not collective, no obvious domain typo.

    Hotmail/Outlook/Live/MSN fail with "provedor_problematico" unless
    ``aceitar_provedor_problematico``; then the result is ok and keeps that
    ``codigo`` so the caller can flag it in the spreadsheet.
    """
    s = _preparar_email(texto)
    exemplo = f"Exemplo: {EXEMPLO_EMAIL}."
    if not s:
        return _falha("vazio", f"Informe o e-mail pessoal da pessoa. {exemplo}")
    if len(s) > 254:
        return _falha("longo", f"Esse e-mail é longo demais (máximo de 254 caracteres). {exemplo}")
    if not s.isascii():
        return _falha(
            "formato", f"O e-mail não pode ter acentos, cedilha nem símbolos especiais. {exemplo}"
        )
    if s.count("@") != 1:
        return _falha(
            "formato", f"O e-mail precisa ter um único @, separando o nome do domínio. {exemplo}"
        )
    local, dominio = s.split("@")
    dominio = dominio.lower()
    if not local or not dominio or len(local) > 64 or not _LOCAL.fullmatch(local):
        return _falha(
            "formato",
            "Esse e-mail não está num formato válido (confira pontos, "
            f"espaços e o que vem antes do @). {exemplo}",
        )
    if eh_coletivo(local):
        return _falha(
            "coletivo",
            f"O endereço {_mostrar(local + '@')} parece ser de uso coletivo "
            "(de um setor ou função). O SEI exige um e-mail de uso pessoal "
            "da pessoa cadastrada; não é permitido e-mail de uso coletivo. "
            f"Informe o e-mail pessoal dela. {exemplo}",
        )
    sugestao = corrigir_dominio(dominio)
    if sugestao:
        return _dominio_errado(local, dominio, sugestao)
    if not _dominio_valido(dominio):
        return _falha(
            "formato",
            f"O domínio {_mostrar(dominio)} (a parte depois do @) não é válido. {exemplo}",
        )
    endereco = f"{local}@{dominio}"
    if eh_problematico(dominio):
        if aceitar_provedor_problematico:
            return _ok(endereco, "provedor_problematico")
        return _falha("provedor_problematico", MENSAGEM_PROVEDOR)
    return _ok(endereco)


def _dominio_errado(local: str, dominio: str, sugestao: str) -> Resultado:
    endereco = f"{local}@{sugestao}"
    erro = (
        f"O domínio {_mostrar(dominio)} parece ter um erro de digitação. Você quis dizer "
        f"{endereco}? Se sim, envie o endereço corrigido."
    )
    if eh_problematico(sugestao):
        erro += " Atenção: " + MENSAGEM_PROVEDOR[0].lower() + MENSAGEM_PROVEDOR[1:]
    return _falha("dominio_digitado_errado", erro, (endereco,))


# ---------------------------------------------------------------- siglas

_EXEMPLO_SIGLA = "Exemplo: GETIN."


def _descrever(unidades: Iterable[Any]) -> list[str]:
    return [f"{u.sigla} — {u.nome}" for u in unidades]


def _nao_encontrada(consulta: str, catalogo: CatalogoUnidades) -> tuple[str, tuple[str, ...]]:
    """Message fragment and suggested siglas for an unknown unit."""
    sugeridas = catalogo.sugerir(consulta, 3)
    parece_nome = " " in consulta.strip() and len(consulta) > 12
    mostrado = _mostrar(consulta, 60) if parece_nome else _uma_linha(consulta).upper()[:30]
    texto = f"Não encontrei {'a unidade' if parece_nome else 'a sigla'} {mostrado}."
    if sugeridas:
        texto += f" Você quis dizer {_ou(_descrever(sugeridas))}?"
    return texto, tuple(u.sigla for u in sugeridas)


def validar_sigla(texto: Any, catalogo: CatalogoUnidades) -> Resultado:
    """A unit of the catalogue, by sigla or name; valor is the canonical sigla."""
    s = _uma_linha(texto)[:200]
    if not s:
        return _falha("vazio", f"Informe a sigla da unidade, como aparece no SEI. {_EXEMPLO_SIGLA}")
    unidade = catalogo.buscar(s)
    if unidade is not None:
        return _ok(unidade.sigla)
    texto_erro, sugestoes = _nao_encontrada(s, catalogo)
    return _falha(
        "nao_encontrado",
        f"{texto_erro} Envie a sigla exatamente como aparece no SEI. {_EXEMPLO_SIGLA}",
        sugestoes,
    )


_SEPARA_LISTA = re.compile(r"[,;\n]+")
_SEPARA_E = re.compile(r"\s+e\s+", re.IGNORECASE)
_SEPARA_PALAVRAS = re.compile(r"\s+")
_MAXIMO_SIGLAS = 30


def _resolver(
    parte: str, catalogo: CatalogoUnidades, achadas: list[Any], faltando: list[str]
) -> None:
    """Resolve one comma-separated part: "A B" (siglas), a unit, or "A e B"."""
    parte = parte.strip(" .")
    if not parte:
        return
    palavras = [p for p in _SEPARA_PALAVRAS.split(parte) if p]
    siglas = [catalogo.por_sigla(p) for p in palavras] if len(palavras) > 1 else [None]
    if all(u is not None for u in siglas):
        achadas.extend(siglas)
        return
    unidade = catalogo.buscar(parte)
    if unidade is not None:
        achadas.append(unidade)
        return
    pedacos = [p for p in _SEPARA_E.split(parte) if p.strip()]
    if len(pedacos) > 1:
        for pedaco in pedacos:
            _resolver(pedaco, catalogo, achadas, faltando)
    else:
        faltando.append(parte)


def validar_siglas(texto: Any, catalogo: CatalogoUnidades) -> Resultado:
    """One or more units ("GETIN, NTS", "GETIN e NTS", "GETIN NTS"); valor "GETIN, NTS".

    Spaces separate siglas here ("SESAU NTS" is two units); a path with "/"
    or "-" ("SESAU/GETIN/NTS") names its last unit, as in ``validar_sigla``.
    """
    s = re.sub(r"[ \t]+", " ", limpar_texto(texto)).strip()
    exemplo = "Exemplo: GETIN, NTS."
    if not s:
        return _falha(
            "vazio", f"Informe a(s) sigla(s) da(s) unidade(s), separadas por vírgula. {exemplo}"
        )
    partes = _SEPARA_LISTA.split(s)
    if len(s) > 1000 or len(partes) > _MAXIMO_SIGLAS:
        return _falha("longo", f"Envie no máximo {_MAXIMO_SIGLAS} siglas por vez. {exemplo}")
    achadas: list[Any] = []
    faltando: list[str] = []
    for parte in partes:
        _resolver(parte, catalogo, achadas, faltando)
    if faltando:
        return _siglas_faltando(faltando, catalogo, exemplo)
    siglas = list(dict.fromkeys(u.sigla for u in achadas))
    if not siglas:
        return _falha("vazio", f"Informe a(s) sigla(s) da(s) unidade(s). {exemplo}")
    if len(siglas) > _MAXIMO_SIGLAS:
        return _falha("longo", f"Envie no máximo {_MAXIMO_SIGLAS} siglas por vez. {exemplo}")
    return _ok(", ".join(siglas))


def _siglas_faltando(faltando: list[str], catalogo: CatalogoUnidades, exemplo: str) -> Resultado:
    partes: list[str] = []
    sugestoes: list[str] = []
    for item in faltando[:5]:
        texto, sugeridas = _nao_encontrada(item, catalogo)
        partes.append(texto)
        sugestoes.extend(s for s in sugeridas if s not in sugestoes)
    erro = (
        " ".join(partes) + " Envie as siglas exatamente como aparecem no SEI, separadas por "
        f"vírgula. {exemplo}"
    )
    return _falha("nao_encontrado", erro, sugestoes)


_SIGLA_NOVA = re.compile(r"[A-Z0-9]+(?:[-/][A-Z0-9]+)*")


def validar_sigla_nova(texto: Any, catalogo: CatalogoUnidades) -> Resultado:
    """A proposed sigla for a new unit: 2-20 of A-Z 0-9 - /, not in the catalogue."""
    texto_limpo = _uma_linha(texto)
    sigla = re.sub(r"\s*([-/])\s*", r"\1", strip_accents(texto_limpo[:100])).upper()
    exemplo = "Exemplo: NUGEP ou SUVISA-NUVEP."
    if not sigla:
        return _falha("vazio", f"Informe a sigla proposta para a nova unidade. {exemplo}")
    if len(sigla) < 2:
        return _falha("curto", f"A sigla precisa ter pelo menos 2 caracteres. {exemplo}")
    if len(sigla) > 20:
        return _falha(
            "longo",
            f"A sigla pode ter no máximo 20 caracteres; você enviou "
            f"{_numero(max(len(sigla), len(texto_limpo)))}. {exemplo}",
        )
    if not _SIGLA_NOVA.fullmatch(sigla) or not any(c.isalpha() for c in sigla):
        return _falha(
            "formato",
            "A sigla deve ter só letras e números, sem espaços; hífen (-) e "
            f"barra (/) só entre eles. {exemplo}",
        )
    existente = catalogo.por_sigla(sigla)
    if existente is not None:
        return _falha(
            "ja_existe",
            f"A sigla {existente.sigla} já existe no SEI "
            f"({existente.nome}). Escolha outra sigla para a nova "
            f"unidade. {exemplo}",
        )
    return _ok(sigla)


# ---------------------------------------------------------------- cargo


def validar_cargo(texto: Any, catalogo: CatalogoCargos) -> Resultado:
    """A cargo of the official list (seed item 17); valor is its canonical name."""
    s = _uma_linha(texto)[:200]
    lei = (
        "O SEI já tem todos os cargos regulamentados pela Lei Delegada vigente e não é "
        "possível criar cargos novos, exceto quando houver lei específica. Escolha um cargo "
        "da lista oficial. Exemplo: Assessor Técnico."
    )
    if not s:
        return _falha("vazio", f"Informe o cargo ou função. {lei}")
    cargo = catalogo.buscar(s)
    if cargo is not None:
        return _ok(cargo)
    sugeridos = catalogo.sugerir(s, 3)
    erro = f"Não encontrei o cargo {_mostrar(s, 60)} na lista oficial."
    if sugeridos:
        erro += f" Você quis dizer {_ou(sugeridos)}?"
    return _falha("nao_encontrado", f"{erro} {lei}", sugeridos)


# ---------------------------------------------------------------- processo

_PROCESSO = re.compile(r"(?:E[:.\-]?)?([0-9]+)\.([0-9]+)[/\-]([0-9]+)")
_PROCESSO_DIGITOS = re.compile(r"(?:E[:.\-]?)?([0-9]{5})([0-9]{10})([0-9]{4})")
_PROCESSO_NO_TEXTO = re.compile(r"(?<![0-9])([0-9]{5})\.([0-9]{1,10})[/\-]([0-9]{4})(?![0-9])")


def _partes_processo(s: str) -> tuple[str, str, str] | None:
    """(órgão, sequência, ano) of the number in ``s`` (no spaces), or None."""
    if len(s) <= 40:
        exato = _PROCESSO.fullmatch(s) or _PROCESSO_DIGITOS.fullmatch(s)
        if exato:
            return exato.group(1), exato.group(2), exato.group(3)
    achados = _PROCESSO_NO_TEXTO.findall(s[:300])  # "processo nº E:02000...": exactly one
    return achados[0] if len(achados) == 1 else None


def validar_processo(texto: Any, ano_atual: int | None = None) -> Resultado:
    """Alagoas SEI number E:OOOOO.NNNNNNNNNN/AAAA, stored canonical.

    Accepts no "E:", lowercase, stray spaces, a hyphen before the year, the
    19 digits alone, a sequence without its leading zeros, and one number
    inside a sentence ("processo nº E:02000...").
    """
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", _uma_linha(texto))).upper()
    exemplo = f"Exemplo: {EXEMPLO_PROCESSO}."
    padrao = (
        "O número do processo segue o padrão E:OOOOO.NNNNNNNNNN/AAAA (órgão com 5 "
        "dígitos, sequência com 10 dígitos e ano com 4 dígitos)."
    )
    if not s:
        return _falha("vazio", f"Informe o número do processo. {padrao} {exemplo}")
    partes = _partes_processo(s)
    if partes is None:
        return _falha("formato", f"{padrao} {exemplo}")
    orgao, sequencia, ano = partes
    problema = _problema_processo(orgao, sequencia, ano)
    if problema:
        return _falha("formato", f"{problema} {exemplo}")
    limite = (ano_atual or datetime.now(FUSO).year) + 1
    if not 1990 <= int(ano) <= limite:
        return _falha(
            "ano", f"O ano do processo ({ano}) deve estar entre 1990 e {limite}. {exemplo}"
        )
    return _ok(f"E:{orgao}.{sequencia.zfill(10)}/{ano}")


def _problema_processo(orgao: str, sequencia: str, ano: str) -> str | None:
    if len(orgao) != 5:
        return f"O código do órgão (antes do ponto) deve ter 5 dígitos; você enviou {len(orgao)}."
    if len(sequencia) > 10:
        return (
            f"A sequência (entre o ponto e a barra) deve ter 10 dígitos; você enviou "
            f"{len(sequencia)}."
        )
    if int(sequencia) == 0:
        return "A sequência do processo (entre o ponto e a barra) não pode ser toda zero."
    if len(ano) != 4:
        return f"O ano (depois da barra) deve ter 4 dígitos; você enviou {len(ano)}."
    return None


# ---------------------------------------------------------------- texto livre


def _paragrafos(texto: Any) -> str:
    """Cleaned multi-line text: single spaces, at most one blank line, trimmed."""
    linhas = [re.sub(r" +", " ", linha).strip() for linha in limpar_texto(texto).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(linhas)).strip()


def validar_texto(texto: Any, minimo: int = 10, maximo: int = 2000) -> Resultado:
    """Free text (descrição, motivo): ``minimo``..``maximo`` characters after cleaning."""
    s = _paragrafos(texto)
    exemplo = (
        "Exemplo: “Ao assinar o ofício, o SEI mostra a mensagem ‘usuário sem permissão’ "
        "desde ontem.”"
    )
    if not s:
        return _falha("vazio", f"Escreva o texto, com pelo menos {minimo} caracteres. {exemplo}")
    if len(s) < minimo:
        return _falha(
            "curto",
            f"O texto está muito curto: tem {len(s)} caracteres e o mínimo é "
            f"{minimo}. Explique com um pouco mais de detalhe. {exemplo}",
        )
    if len(s) > maximo:
        return _falha(
            "longo",
            f"O texto tem {_numero(len(s))} caracteres e o máximo é "
            f"{_numero(maximo)}. Resuma o principal, por favor.",
        )
    if sum(1 for c in s if c.isalnum()) < 3:
        return _falha("formato", f"O texto precisa ter palavras que expliquem o pedido. {exemplo}")
    return _ok(s)


def validar_texto_curto(texto: Any, minimo: int = 3, maximo: int = 200) -> Resultado:
    """One-line text (unit name, ato de criação): 3-200 characters."""
    s = _uma_linha(texto)
    exemplo = "Exemplo: Núcleo de Gestão de Pessoas."
    if not s:
        return _falha("vazio", f"Escreva o texto pedido. {exemplo}")
    if len(s) < minimo:
        return _falha("curto", f"O texto precisa ter pelo menos {minimo} caracteres. {exemplo}")
    if len(s) > maximo:
        return _falha(
            "longo",
            f"O texto pode ter no máximo {maximo} caracteres; você enviou "
            f"{_numero(len(s))}. {exemplo}",
        )
    if not any(c.isalnum() for c in s):
        return _falha("formato", f"O texto precisa ter letras ou números. {exemplo}")
    return _ok(s)


# ---------------------------------------------------------------- operação

_RADICAIS_OPERACAO = (
    ("MUDAR", ("mud", "troc", "transfer", "alter", "remanej", "mov")),
    ("REMOVER", ("remo", "retir", "deslig", "exclu", "tir", "desvincul", "sai", "apag")),
    ("ADICIONAR", ("adic", "inclu", "acresc", "add", "coloc", "inser")),
)


def _operacoes_citadas(texto: str) -> set:
    palavras = re.findall(r"[a-z]+", chave(texto))[:50]
    citadas = set()
    for i, palavra in enumerate(palavras):
        if "nao" in palavras[max(0, i - 2) : i]:
            continue
        for operacao, radicais in _RADICAIS_OPERACAO:
            if palavra.startswith(radicais):
                citadas.add(operacao)
    return citadas


def validar_operacao(texto: Any) -> Resultado:
    """ADICIONAR, MUDAR or REMOVER from free text ("trocar de setor" -> MUDAR)."""
    citadas = _operacoes_citadas(_uma_linha(texto)[:500])
    if "MUDAR" in citadas or citadas == {"ADICIONAR", "REMOVER"}:
        return _ok("MUDAR")
    if len(citadas) == 1:
        return _ok(citadas.pop())
    return _falha(
        "nao_reconhecido",
        "Não entendi a operação. Responda ADICIONAR (incluir a pessoa em mais uma "
        "unidade), MUDAR (trocar a pessoa de unidade) ou REMOVER (desligar a pessoa "
        "da unidade). Exemplo: MUDAR.",
    )


# ---------------------------------------------------------------- anexo

_ASSINATURAS = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
)
_OUTROS_TIPOS = (
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"%PDF", "PDF"),
    (b"BM", "BMP"),
    (b"PK\x03\x04", "um arquivo compactado ou documento do Office"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)


def _tipo_provavel(dados: bytes) -> str | None:
    for assinatura, nome in _OUTROS_TIPOS:
        if dados.startswith(assinatura):
            return nome
    if dados[:4] == b"RIFF" and dados[8:12] == b"WEBP":
        return "WebP"
    if dados[4:8] == b"ftyp":
        return "HEIC ou vídeo"
    return None


def validar_anexo(dados: Any, nome_arquivo: str | None = None) -> Resultado:
    """Screenshot: PNG or JPEG by content (magic bytes), non-empty, ≤ 10 MB."""
    como_enviar = (
        "Envie a captura de tela como imagem PNG ou JPG (no computador, tecla Print "
        "Screen ou Ferramenta de Captura; no celular, um print da tela)."
    )
    if isinstance(dados, memoryview):
        dados = dados.tobytes()
    if dados is None or (isinstance(dados, (bytes, bytearray)) and not dados):
        return _falha("vazio", f"O arquivo chegou vazio. {como_enviar}")
    if not isinstance(dados, (bytes, bytearray)):
        return _falha("tipo_arquivo", f"Não recebi um arquivo de imagem. {como_enviar}")
    if len(dados) > LIMITE_ANEXO:
        tamanho = f"{len(dados) / (1024 * 1024):.1f}".replace(".", ",")
        return _falha(
            "tamanho",
            f"A imagem tem {tamanho} MB e o limite é 10 MB. Recorte só a "
            f"parte da tela com o erro ou salve em JPEG. {como_enviar}",
        )
    for assinatura, tipo in _ASSINATURAS:
        if bytes(dados[: len(assinatura)]) == assinatura:
            return _ok(tipo)
    nome = f" {_mostrar(nome_arquivo, 60)}" if nome_arquivo else ""
    provavel = _tipo_provavel(bytes(dados[:16]))
    parece = f" (parece ser {provavel})" if provavel else ""
    return _falha(
        "tipo_arquivo", f"O arquivo{nome} não é uma imagem PNG ou JPEG{parece}. {como_enviar}"
    )


# ---------------------------------------------------------------- dispatch

Validador = Callable[[Any, Any], Resultado]

VALIDADORES: dict[str, Validador] = {
    "nome": lambda valor, catalogos: validar_nome(valor),
    "cpf": lambda valor, catalogos: validar_cpf(valor),
    "email": lambda valor, catalogos: validar_email(valor),
    "sigla": lambda valor, catalogos: validar_sigla(valor, catalogos.unidades),
    "siglas": lambda valor, catalogos: validar_siglas(valor, catalogos.unidades),
    "sigla_nova": lambda valor, catalogos: validar_sigla_nova(valor, catalogos.unidades),
    "cargo": lambda valor, catalogos: validar_cargo(valor, catalogos.cargos),
    "processo": lambda valor, catalogos: validar_processo(valor),
    "texto": lambda valor, catalogos: validar_texto(valor),
    "texto_curto": lambda valor, catalogos: validar_texto_curto(valor),
    "operacao": lambda valor, catalogos: validar_operacao(valor),
    "anexo": lambda valor, catalogos: validar_anexo(valor),
}


def _omitido(valor: Any) -> bool:
    if valor is None or isinstance(valor, (bytes, bytearray, memoryview)):
        return valor is None or len(valor) == 0
    return chave(_uma_linha(valor)[:50]).strip(" .!") in PULAR


def validar_campo(
    campo: Campo,
    valor: Any,
    catalogos: Any = None,
    *,
    aceitar_provedor_problematico: bool = False,
) -> Resultado:
    """Validate ``valor`` for ``campo`` (a ``bot.solicitacoes.tipos.Campo``).

    ``catalogos`` has ``.unidades`` and ``.cargos`` (a ``bot.solicitacoes.catalogos.Catalogos``).
    An optional field left empty (or answered "não tem", "pular"...) is ok
    with ``valor`` None and ``codigo`` "omitido". An unknown ``campo.tipo``
    is a programming error and raises ``KeyError``.
    """
    validador = VALIDADORES[campo.tipo]
    if not campo.obrigatorio and _omitido(valor):
        return _ok(None, "omitido")
    if campo.tipo == "email":
        return validar_email(valor, aceitar_provedor_problematico)
    return validador(valor, catalogos)

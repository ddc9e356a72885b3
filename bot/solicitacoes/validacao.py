"""Validation of every field a request collects (``docs/fonte/requests.md``).

One function per field type of ``bot.solicitacoes.tipos.Campo.tipo``. Each takes
whatever the requester typed (any object: None, huge strings, control
characters...) and returns a ``Resultado``; none of them raises. A failed
result carries ``erro``, a Brazilian-Portuguese message saying what is wrong
and how to fix it (with an example), from ``bot/content/validacao.yml``, and
``codigo``, a short reason for code. No Rasa here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from validate_docbr import CPF as _CPF

from bot import content
from bot.solicitacoes import anexos
from bot.solicitacoes.emails import corrigir_dominio, eh_coletivo, eh_problematico
from bot.solicitacoes.semelhanca import chave
from bot.solicitacoes.tipos import FUSO
from bot.solicitacoes.vocabulario import PULAR
from bot.text import clean_text, one_line, quoted, strip_accents

if TYPE_CHECKING:  # pragma: no cover
    from bot.solicitacoes.catalogos import CatalogoCargos, CatalogoUnidades, Unidade
    from bot.solicitacoes.tipos import Campo


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


def _mensagem(grupo: str, chave_: str, **campos: object) -> str:
    """Text ``chave_`` of group ``grupo`` of ``validacao.yml``, fields filled.

    The group's own entries (``exemplo``, ``lei``...) are fields too.
    """
    textos: dict[str, Any] = content.entrada("validacao", grupo)
    return str(textos[chave_]).format(**{**textos, **campos})


def _numero(n: int) -> str:
    """Integer with Brazilian thousands separator (2345 -> "2.345")."""
    return f"{n:,}".replace(",", ".")


def _ou(itens: list[str]) -> str:
    """ "a", "a ou b", "a, b ou c"."""
    if len(itens) <= 1:
        return "".join(itens)
    return _mensagem("lista", "ou", itens=", ".join(itens[:-1]), ultimo=itens[-1])


def _voce_quis_dizer(opcoes: list[str]) -> str:
    return _mensagem("lista", "voce_quis_dizer", opcoes=_ou(opcoes))


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
            descricao = _mensagem("nome", "numeros")
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
    s = one_line(texto).translate(_APOSTROFOS).translate(_HIFENS)
    s = re.sub(r"\s*([-'])\s*", r"\1", s)
    if not s:
        return _falha("vazio", _mensagem("nome", "vazio"))
    if len(s) > 120:
        return _falha("longo", _mensagem("nome", "longo", n=_numero(len(s))))
    invalidos = _invalidos_nome(s)
    if invalidos:
        return _falha("formato", _mensagem("nome", "caracteres", invalidos=", ".join(invalidos)))
    palavras = s.split(" ")
    if any(not parte for p in palavras for parte in re.split(r"[-']", p)):
        return _falha("formato", _mensagem("nome", "separadores"))
    substantivas = [
        p for p in palavras if p.lower() not in _PARTICULAS and sum(c.isalpha() for c in p) >= 2
    ]
    if len(substantivas) < 2:
        return _falha("incompleto", _mensagem("nome", "incompleto"))
    if len(s) < 5:
        return _falha("curto", _mensagem("nome", "curto"))
    nome = " ".join(_capitalizar(p, i == 0) for i, p in enumerate(palavras))
    return _ok(unicodedata.normalize("NFC", nome))


# ---------------------------------------------------------------- CPF

_SEPARADORES_CPF = re.compile(r"[\s.\-‐‑‒–—]")


def _formatar_cpf(digitos: str) -> str:
    return f"{digitos[:3]}.{digitos[3:6]}.{digitos[6:9]}-{digitos[9:]}"


def validar_cpf(texto: Any) -> Resultado:
    """CPF with or without mask; 11 digits, not all equal, valid check digits."""
    s = unicodedata.normalize("NFKC", one_line(texto))
    if len(s) > 40:
        return _falha("formato", _mensagem("cpf", "longo"))
    s = re.sub(r"^cpf\s*[:\-]?\s*", "", s, flags=re.IGNORECASE)
    digitos = _SEPARADORES_CPF.sub("", s)
    if not digitos:
        return _falha("vazio", _mensagem("cpf", "vazio"))
    if any(c not in "0123456789" for c in digitos):
        return _falha("formato", _mensagem("cpf", "formato"))
    if len(digitos) != 11:
        return _falha("digitos", _mensagem("cpf", "digitos", n=len(digitos)))
    if len(set(digitos)) == 1:
        return _falha("repetido", _mensagem("cpf", "repetido"))
    if not _CPF().validate(digitos):
        return _falha("verificador", _mensagem("cpf", "verificador"))
    return _ok(_formatar_cpf(digitos))


# ---------------------------------------------------------------- e-mail

_LOCAL = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*", re.IGNORECASE
)
_ROTULO = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


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
    # spaces around the address go; spaces inside it are kept, so that
    # validar_email refuses them instead of silently joining the parts
    s = re.sub(r"^mailto:", "", clean_text(texto).strip(), flags=re.IGNORECASE)
    dentro = re.search(r"<([^<>]*)>", s)  # "Maria <maria@gmail.com>"
    if dentro:
        s = re.sub(r"^mailto:", "", dentro.group(1).strip(), flags=re.IGNORECASE)
    return s.strip().strip("<>\"'").rstrip(".,;:").strip()


def validar_email(texto: Any, aceitar_provedor_problematico: bool = False) -> Resultado:
    """Personal e-mail: valid syntax, not collective, no obvious domain typo.

    Hotmail/Outlook/Live/MSN fail with "provedor_problematico" unless
    ``aceitar_provedor_problematico``; then the result is ok and keeps that
    ``codigo`` so the caller can flag it in the spreadsheet.
    """
    s = _preparar_email(texto)
    if not s:
        return _falha("vazio", _mensagem("email", "vazio"))
    if len(s) > 254:
        return _falha("longo", _mensagem("email", "longo"))
    if re.search(r"\s", s):
        return _falha("formato", _mensagem("email", "espacos"))
    if not s.isascii():
        return _falha("formato", _mensagem("email", "acentos"))
    if s.count("@") != 1:
        return _falha("formato", _mensagem("email", "arroba"))
    local, dominio = s.split("@")
    dominio = dominio.lower()
    if not local or not dominio or len(local) > 64 or not _LOCAL.fullmatch(local):
        return _falha("formato", _mensagem("email", "formato"))
    if eh_coletivo(local):
        return _falha("coletivo", _mensagem("email", "coletivo", endereco=quoted(local + "@")))
    sugestao = corrigir_dominio(dominio)
    if sugestao:
        return _dominio_errado(local, dominio, sugestao)
    if not _dominio_valido(dominio):
        return _falha("formato", _mensagem("email", "dominio_invalido", dominio=quoted(dominio)))
    endereco = f"{local}@{dominio}"
    if eh_problematico(dominio):
        if aceitar_provedor_problematico:
            return _ok(endereco, "provedor_problematico")
        return _falha("provedor_problematico", _mensagem("email", "provedor_problematico"))
    return _ok(endereco)


def _dominio_errado(local: str, dominio: str, sugestao: str) -> Resultado:
    endereco = f"{local}@{sugestao}"
    erro = _mensagem("email", "dominio_digitado_errado", dominio=quoted(dominio), endereco=endereco)
    if eh_problematico(sugestao):
        aviso = _mensagem("email", "provedor_problematico")
        erro += " " + _mensagem("email", "atencao", aviso=aviso[0].lower() + aviso[1:])
    return _falha("dominio_digitado_errado", erro, (endereco,))


# ---------------------------------------------------------------- siglas


def _descrever(unidades: Iterable[Unidade]) -> list[str]:
    return [_mensagem("unidade", "descricao", sigla=u.sigla, nome=u.nome) for u in unidades]


def _nao_encontrada(consulta: str, catalogo: CatalogoUnidades) -> tuple[str, tuple[str, ...]]:
    """Message fragment and suggested siglas for an unknown unit."""
    sugeridas = catalogo.sugerir(consulta, 3)
    if " " in consulta.strip() and len(consulta) > 12:  # looks like a name
        texto = _mensagem("unidade", "nao_encontrada_unidade", consulta=quoted(consulta, 60))
    else:
        texto = _mensagem(
            "unidade", "nao_encontrada_sigla", consulta=one_line(consulta).upper()[:30]
        )
    if sugeridas:
        texto += " " + _voce_quis_dizer(_descrever(sugeridas))
    return texto, tuple(u.sigla for u in sugeridas)


def validar_sigla(texto: Any, catalogo: CatalogoUnidades) -> Resultado:
    """A unit of the catalogue, by sigla or name; valor is the canonical sigla."""
    s = one_line(texto)[:200]
    if not s:
        return _falha("vazio", _mensagem("unidade", "vazio"))
    unidade = catalogo.buscar(s)
    if unidade is not None:
        return _ok(unidade.sigla)
    texto_erro, sugestoes = _nao_encontrada(s, catalogo)
    return _falha(
        "nao_encontrado",
        _mensagem("unidade", "nao_encontrado", nao_encontrada=texto_erro),
        sugestoes,
    )


_SEPARA_LISTA = re.compile(r"[,;\n]+")
_SEPARA_E = re.compile(r"\s+e\s+", re.IGNORECASE)
_SEPARA_PALAVRAS = re.compile(r"\s+")
_MAXIMO_SIGLAS = 30


def _resolver(
    parte: str, catalogo: CatalogoUnidades, achadas: list[Unidade], faltando: list[str]
) -> None:
    """Resolve one comma-separated part: "A B" (siglas), a unit, or "A e B"."""
    parte = parte.strip(" .")
    if not parte:
        return
    palavras = [p for p in _SEPARA_PALAVRAS.split(parte) if p]
    if len(palavras) > 1:
        siglas = [catalogo.por_sigla(p) for p in palavras]
        encontradas = [u for u in siglas if u is not None]
        if len(encontradas) == len(siglas):
            achadas.extend(encontradas)
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
    s = re.sub(r"[ \t]+", " ", clean_text(texto)).strip()
    if not s:
        return _falha("vazio", _mensagem("siglas", "vazio"))
    partes = _SEPARA_LISTA.split(s)
    if len(s) > 1000 or len(partes) > _MAXIMO_SIGLAS:
        return _falha("longo", _mensagem("siglas", "longo", maximo=_MAXIMO_SIGLAS))
    achadas: list[Unidade] = []
    faltando: list[str] = []
    for parte in partes:
        _resolver(parte, catalogo, achadas, faltando)
    if faltando:
        return _siglas_faltando(faltando, catalogo)
    siglas = list(dict.fromkeys(u.sigla for u in achadas))
    if not siglas:
        return _falha("vazio", _mensagem("siglas", "nenhuma"))
    if len(siglas) > _MAXIMO_SIGLAS:
        return _falha("longo", _mensagem("siglas", "longo", maximo=_MAXIMO_SIGLAS))
    return _ok(", ".join(siglas))


def _siglas_faltando(faltando: list[str], catalogo: CatalogoUnidades) -> Resultado:
    partes: list[str] = []
    sugestoes: list[str] = []
    for item in faltando[:5]:
        texto, sugeridas = _nao_encontrada(item, catalogo)
        partes.append(texto)
        sugestoes.extend(s for s in sugeridas if s not in sugestoes)
    erro = _mensagem("siglas", "nao_encontrado", nao_encontradas=" ".join(partes))
    return _falha("nao_encontrado", erro, sugestoes)


_SIGLA_NOVA = re.compile(r"[A-Z0-9]+(?:[-/][A-Z0-9]+)*")


def validar_sigla_nova(texto: Any, catalogo: CatalogoUnidades) -> Resultado:
    """A proposed sigla for a new unit: 2-20 of A-Z 0-9 - /, not in the catalogue."""
    texto_limpo = one_line(texto)
    sigla = re.sub(r"\s*([-/])\s*", r"\1", strip_accents(texto_limpo[:100])).upper()
    if not sigla:
        return _falha("vazio", _mensagem("sigla_nova", "vazio"))
    if len(sigla) < 2:
        return _falha("curto", _mensagem("sigla_nova", "curto"))
    if len(sigla) > 20:
        tamanho = _numero(max(len(sigla), len(texto_limpo)))
        return _falha("longo", _mensagem("sigla_nova", "longo", n=tamanho))
    if not _SIGLA_NOVA.fullmatch(sigla) or not any(c.isalpha() for c in sigla):
        return _falha("formato", _mensagem("sigla_nova", "formato"))
    existente = catalogo.por_sigla(sigla)
    if existente is not None:
        return _falha(
            "ja_existe",
            _mensagem("sigla_nova", "ja_existe", sigla=existente.sigla, nome=existente.nome),
        )
    return _ok(sigla)


# ---------------------------------------------------------------- cargo


def validar_cargo(texto: Any, catalogo: CatalogoCargos) -> Resultado:
    """A cargo of the official list (seed item 17); valor is its canonical name."""
    s = one_line(texto)[:200]
    if not s:
        return _falha("vazio", _mensagem("cargo", "vazio"))
    cargo = catalogo.buscar(s)
    if cargo is not None:
        return _ok(cargo)
    sugeridos = catalogo.sugerir(s, 3)
    partes = [_mensagem("cargo", "nao_encontrado", cargo=quoted(s, 60))]
    if sugeridos:
        partes.append(_voce_quis_dizer(sugeridos))
    partes.append(_mensagem("cargo", "lei"))
    return _falha("nao_encontrado", " ".join(partes), sugeridos)


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
    achados: list[tuple[str, str, str]] = _PROCESSO_NO_TEXTO.findall(s[:300])
    return achados[0] if len(achados) == 1 else None  # "processo nº E:02000...": exactly one


def validar_processo(texto: Any, ano_atual: int | None = None) -> Resultado:
    """Alagoas SEI number E:OOOOO.NNNNNNNNNN/AAAA, stored canonical.

    Accepts no "E:", lowercase, stray spaces, a hyphen before the year, the
    19 digits alone, a sequence without its leading zeros, and one number
    inside a sentence ("processo nº E:02000...").
    """
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", one_line(texto))).upper()
    if not s:
        return _falha("vazio", _mensagem("processo", "vazio"))
    partes = _partes_processo(s)
    if partes is None:
        return _falha("formato", _mensagem("processo", "formato"))
    orgao, sequencia, ano = partes
    problema = _problema_processo(orgao, sequencia, ano)
    if problema:
        return _falha("formato", problema)
    limite = (ano_atual or datetime.now(FUSO).year) + 1
    if not 1990 <= int(ano) <= limite:
        return _falha("ano", _mensagem("processo", "ano", ano=ano, limite=limite))
    return _ok(f"E:{orgao}.{sequencia.zfill(10)}/{ano}")


def _problema_processo(orgao: str, sequencia: str, ano: str) -> str | None:
    if len(orgao) != 5:
        return _mensagem("processo", "orgao", n=len(orgao))
    if len(sequencia) > 10:
        return _mensagem("processo", "sequencia_longa", n=len(sequencia))
    if int(sequencia) == 0:
        return _mensagem("processo", "sequencia_zero")
    if len(ano) != 4:
        return _mensagem("processo", "ano_digitos", n=len(ano))
    return None


# ---------------------------------------------------------------- texto livre


def _paragrafos(texto: Any) -> str:
    """Cleaned multi-line text: single spaces, at most one blank line, trimmed."""
    linhas = [re.sub(r" +", " ", linha).strip() for linha in clean_text(texto).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(linhas)).strip()


def validar_texto(texto: Any, minimo: int = 10, maximo: int = 2000) -> Resultado:
    """Free text (descrição, motivo): ``minimo``..``maximo`` characters after cleaning."""
    s = _paragrafos(texto)
    if not s:
        return _falha("vazio", _mensagem("texto", "vazio", minimo=minimo))
    if len(s) < minimo:
        return _falha("curto", _mensagem("texto", "curto", n=len(s), minimo=minimo))
    if len(s) > maximo:
        return _falha(
            "longo", _mensagem("texto", "longo", n=_numero(len(s)), maximo=_numero(maximo))
        )
    if sum(1 for c in s if c.isalnum()) < 3:
        return _falha("formato", _mensagem("texto", "formato"))
    return _ok(s)


def validar_texto_curto(texto: Any, minimo: int = 3, maximo: int = 200) -> Resultado:
    """One-line text (unit name, ato de criação): 3-200 characters."""
    s = one_line(texto)
    if not s:
        return _falha("vazio", _mensagem("texto_curto", "vazio"))
    if len(s) < minimo:
        return _falha("curto", _mensagem("texto_curto", "curto", minimo=minimo))
    if len(s) > maximo:
        return _falha("longo", _mensagem("texto_curto", "longo", maximo=maximo, n=_numero(len(s))))
    if not any(c.isalnum() for c in s):
        return _falha("formato", _mensagem("texto_curto", "formato"))
    return _ok(s)


# ---------------------------------------------------------------- operação

_RADICAIS_OPERACAO = (
    ("MUDAR", ("mud", "troc", "transfer", "alter", "remanej", "mov")),
    ("REMOVER", ("remo", "retir", "deslig", "exclu", "tir", "desvincul", "sai", "apag")),
    ("ADICIONAR", ("adic", "inclu", "acresc", "add", "coloc", "inser")),
)


def _operacoes_citadas(texto: str) -> set[str]:
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
    citadas = _operacoes_citadas(one_line(texto)[:500])
    if "MUDAR" in citadas or citadas == {"ADICIONAR", "REMOVER"}:
        return _ok("MUDAR")
    if len(citadas) == 1:
        return _ok(citadas.pop())
    return _falha("nao_reconhecido", _mensagem("operacao", "nao_reconhecido"))


# ---------------------------------------------------------------- anexo


def validar_anexo(dados: Any, nome_arquivo: str | None = None) -> Resultado:
    """Screenshot: PNG or JPEG by content, non-empty, within ``anexos.LIMITE_ANEXO``."""
    try:
        return _ok(anexos.verificar(dados, nome_arquivo))
    except anexos.AnexoInvalido as erro:
        return _falha(erro.codigo, str(erro))


# ---------------------------------------------------------------- dispatch

Validador = Callable[[Any, Any], Resultado]

VALIDADORES: dict[str, Validador] = {
    "nome": lambda valor, _catalogos: validar_nome(valor),
    "cpf": lambda valor, _catalogos: validar_cpf(valor),
    "email": lambda valor, _catalogos: validar_email(valor),
    "sigla": lambda valor, catalogos: validar_sigla(valor, catalogos.unidades),
    "siglas": lambda valor, catalogos: validar_siglas(valor, catalogos.unidades),
    "sigla_nova": lambda valor, catalogos: validar_sigla_nova(valor, catalogos.unidades),
    "cargo": lambda valor, catalogos: validar_cargo(valor, catalogos.cargos),
    "processo": lambda valor, _catalogos: validar_processo(valor),
    "texto": lambda valor, _catalogos: validar_texto(valor),
    "texto_curto": lambda valor, _catalogos: validar_texto_curto(valor),
    "operacao": lambda valor, _catalogos: validar_operacao(valor),
    "anexo": lambda valor, _catalogos: validar_anexo(valor),
}


def _omitido(valor: Any) -> bool:
    if valor is None or isinstance(valor, (bytes, bytearray, memoryview)):
        return valor is None or len(valor) == 0
    return chave(one_line(valor)[:50]).strip(" .!") in PULAR


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

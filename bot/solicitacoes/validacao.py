"""Validation of every field a request collects (``docs/fonte/requests.md``).

One function per field type of ``bot.solicitacoes.tipos.Campo.tipo``. Each takes
whatever the requester typed (any object: None, huge strings, control
characters...) and returns a ``Resultado``; none of them raises. A failed
result carries ``erro``, a Brazilian-Portuguese message saying what is wrong
and how to fix it (with an example), from ``bot/content/validacao.yml``, and
``codigo``, a short reason for code. ``conferir_linha`` checks the rules
between the fields of one row (``Tipo.regras``). No Rasa here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from validate_docbr import CPF as _CPF

from bot import content
from bot.solicitacoes import anexos
from bot.solicitacoes.emails import (
    corrigir_dominio,
    eh_coletivo,
    eh_problematico,
    unidade_do_endereco,
)
from bot.solicitacoes.semelhanca import chave
from bot.solicitacoes.tipos import FUSO, OPERACOES
from bot.solicitacoes.vocabulario import PULAR
from bot.text import clean_text, one_line, quoted, strip_accents

if TYPE_CHECKING:  # pragma: no cover
    from bot.solicitacoes.catalogos import CatalogoCargos, CatalogoUnidades, Unidade
    from bot.solicitacoes.tipos import Campo, Tipo


@dataclass(frozen=True)
class Resultado:
    """Outcome of one validation.

    ``ok`` with the normalised ``valor``; otherwise ``erro`` (message for the
    requester), ``codigo`` (reason for code) and maybe ``sugestoes``
    (corrected values to offer). An accepted value may still carry an
    informative ``codigo`` (e.g. "provedor_problematico", "omitido").
    A failure that is ``reconhecido`` read the answer as a value of the field
    (an existing sigla proposed for a new unit, "remover" as the operação):
    its ``erro`` is the answer to give, never an FAQ the text resembles.
    """

    ok: bool
    valor: Any = None
    erro: str | None = None
    codigo: str | None = None
    sugestoes: tuple[str, ...] = ()
    reconhecido: bool = False


def _ok(valor: Any, codigo: str | None = None) -> Resultado:
    return Resultado(True, valor, None, codigo)


def _falha(
    codigo: str, erro: str, sugestoes: Iterable[str] = (), *, reconhecido: bool = False
) -> Resultado:
    erro = unicodedata.normalize("NFC", erro)
    return Resultado(False, None, erro, codigo, tuple(sugestoes), reconhecido)


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


def validar_email(
    texto: Any,
    aceitar_provedor_problematico: bool = False,
    unidades: CatalogoUnidades | None = None,
) -> Resultado:
    """Personal e-mail: valid syntax, not collective, no obvious domain typo.

    Hotmail/Outlook/Live/MSN fail with "provedor_problematico" unless
    ``aceitar_provedor_problematico``; then the result is ok and keeps that
    ``codigo`` so the caller can flag it in the spreadsheet. With
    ``unidades``, an address named after a unit ("getin@", "hge.adm@") is
    collective too (``emails.unidade_do_endereco``).
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
    unidade = unidade_do_endereco(local, unidades.por_sigla_compacta) if unidades else None
    if unidade is not None:
        erro = _mensagem(
            "email",
            "coletivo_unidade",
            endereco=quoted(local + "@"),
            sigla=unidade.sigla,
            nome=unidade.nome,
        )
        return _falha("coletivo", erro)
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


def _resolver(parte: str, catalogo: CatalogoUnidades, itens: list[Unidade | str]) -> None:
    """Resolve one comma-separated part: "A B" (siglas), a unit, or "A e B".

    Appends to ``itens``, in the order typed, each unit found and each text
    that names none.
    """
    parte = parte.strip(" .")
    if not parte:
        return
    palavras = [p for p in _SEPARA_PALAVRAS.split(parte) if p]
    if len(palavras) > 1:
        siglas = [catalogo.por_sigla(p) for p in palavras]
        encontradas = [u for u in siglas if u is not None]
        if len(encontradas) == len(siglas):
            itens.extend(encontradas)
            return
    unidade = catalogo.buscar(parte)
    if unidade is not None:
        itens.append(unidade)
        return
    pedacos = [p for p in _SEPARA_E.split(parte) if p.strip()]
    if len(pedacos) > 1:
        for pedaco in pedacos:
            _resolver(pedaco, catalogo, itens)
    else:
        itens.append(parte)


def validar_siglas(texto: Any, catalogo: CatalogoUnidades) -> Resultado:
    """One or more units ("GETIN, NTS", "GETIN e NTS", "GETIN NTS"); valor "GETIN, NTS".

    Spaces separate siglas here ("SESAU NTS" is two units); a path with "/"
    or "-" ("SESAU/GETIN/NTS") names its last unit, as in ``validar_sigla``.
    When some item names no unit, each suggestion is the WHOLE list with
    that item corrected ("hge, getinn" suggests "HGE, GETIN"), so that taking
    a suggestion loses none of the other units.
    """
    s = re.sub(r"[ \t]+", " ", clean_text(texto)).strip()
    if not s:
        return _falha("vazio", _mensagem("siglas", "vazio"))
    partes = _SEPARA_LISTA.split(s)
    if len(s) > 1000 or len(partes) > _MAXIMO_SIGLAS:
        return _falha("longo", _mensagem("siglas", "longo", maximo=_MAXIMO_SIGLAS))
    itens: list[Unidade | str] = []
    for parte in partes:
        _resolver(parte, catalogo, itens)
    if any(isinstance(item, str) for item in itens):
        return _siglas_faltando(itens, catalogo)
    siglas = _lista_de_siglas(item.sigla for item in itens if not isinstance(item, str))
    if not siglas:
        return _falha("vazio", _mensagem("siglas", "nenhuma"))
    if len(siglas) > _MAXIMO_SIGLAS:
        return _falha("longo", _mensagem("siglas", "longo", maximo=_MAXIMO_SIGLAS))
    return _ok(", ".join(siglas))


def _lista_de_siglas(siglas: Iterable[str]) -> list[str]:
    """Siglas in order, each once."""
    return list(dict.fromkeys(siglas))


def _siglas_faltando(itens: list[Unidade | str], catalogo: CatalogoUnidades) -> Resultado:
    faltando = [item for item in itens if isinstance(item, str)]
    partes: list[str] = []
    sugeridas: dict[str, tuple[str, ...]] = {}
    for item in faltando[:5]:
        texto, siglas = _nao_encontrada(item, catalogo)
        partes.append(texto)
        sugeridas[item] = siglas
    erro = _mensagem("siglas", "nao_encontrado", nao_encontradas=" ".join(partes))
    listas = _listas_corrigidas(itens, sugeridas) if len(faltando) <= 5 else []
    if listas and len(itens) > 1:
        erro += " " + _mensagem("siglas", "lista_corrigida", listas=_ou([f"“{x}”" for x in listas]))
    return _falha("nao_encontrado", erro, listas)


def _listas_corrigidas(
    itens: list[Unidade | str], sugeridas: Mapping[str, tuple[str, ...]]
) -> list[str]:
    """The whole list with the unknown items replaced by their suggestions.

    One unknown item: one list per suggested sigla; several: one list with
    each item's best suggestion; an item without suggestion: none.
    """
    faltando = [item for item in itens if isinstance(item, str)]
    if not faltando or not all(sugeridas.get(item) for item in faltando):
        return []
    opcoes = sugeridas[faltando[0]] if len(set(faltando)) == 1 else sugeridas[faltando[0]][:1]
    listas: list[str] = []
    for opcao in opcoes:
        siglas = [
            item.sigla
            if not isinstance(item, str)
            else (opcao if item == faltando[0] else sugeridas[item][0])
            for item in itens
        ]
        lista = ", ".join(_lista_de_siglas(siglas))
        if lista not in listas:
            listas.append(lista)
    return listas


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
    existente = catalogo.por_sigla_compacta(sigla)
    if existente is not None:
        return _falha(
            "ja_existe",
            _mensagem("sigla_nova", "ja_existe", sigla=existente.sigla, nome=existente.nome),
            reconhecido=True,
        )
    return _ok(sigla)


def validar_nome_unidade(texto: Any, catalogo: CatalogoUnidades) -> Resultado:
    """The name of a new unit: 3-200 characters, letters, no unit of the catalogue's.

    Refuses "123" and a name (or sigla) that already names a unit, saying
    which sigla has it.
    """
    s = one_line(texto)
    if not s:
        return _falha("vazio", _mensagem("nome_unidade", "vazio"))
    if len(s) > 200:
        return _falha("longo", _mensagem("nome_unidade", "longo", n=_numero(len(s))))
    if sum(1 for c in s if c.isalpha()) < 3:
        return _falha("formato", _mensagem("nome_unidade", "letras"))
    existente = catalogo.buscar(s)
    if existente is not None:
        erro = _mensagem("nome_unidade", "ja_existe", sigla=existente.sigla, nome=existente.nome)
        return _falha("ja_existe", erro, reconhecido=True)
    return _ok(s)


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
# a number inside a sentence; group 4 is whatever number follows the year
# ("02000.000003/2020-11", the federal NUP's check digits): never dropped
_PROCESSO_NO_TEXTO = re.compile(
    r"(?<![0-9])([0-9]{5})\.([0-9]{1,10})[/\-]([0-9]{4})((?:[-/.][0-9]+)*)(?![0-9])"
)


def _partes_processo(s: str) -> tuple[str, str, str, str] | None:
    """(órgão, sequência, ano, what follows the year) of the number in ``s`` (no spaces)."""
    if len(s) <= 40:
        exato = _PROCESSO.fullmatch(s) or _PROCESSO_DIGITOS.fullmatch(s)
        if exato:
            return exato.group(1), exato.group(2), exato.group(3), ""
    achados: list[tuple[str, str, str, str]] = _PROCESSO_NO_TEXTO.findall(s[:300])
    return achados[0] if len(achados) == 1 else None  # "processo nº E:02000...": exactly one


def validar_processo(texto: Any, ano_atual: int | None = None) -> Resultado:
    """Alagoas SEI number E:OOOOO.NNNNNNNNNN/AAAA, stored canonical.

    Accepts no "E:", lowercase, stray spaces, a hyphen before the year, the
    19 digits alone, a sequence without its leading zeros (the same number),
    and one number inside a sentence ("processo nº E:02000..."). Never turns
    what was typed into another number: digits after the year
    ("02000.000003/2020-11"), organ 00000 and a year after the current one
    are refused with "confira o número".
    """
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", one_line(texto))).upper()
    if not s:
        return _falha("vazio", _mensagem("processo", "vazio"))
    partes = _partes_processo(s)
    if partes is None:
        return _falha("formato", _mensagem("processo", "formato"))
    orgao, sequencia, ano, sobra = partes
    if sobra:
        numero = f"{orgao}.{sequencia}/{ano}{sobra}"
        return _falha("formato", _mensagem("processo", "sobra", numero=numero, sobra=sobra))
    problema = _problema_processo(orgao, sequencia, ano)
    if problema:
        return _falha("formato", problema)
    limite = ano_atual or datetime.now(FUSO).year
    if int(ano) > limite:
        return _falha("ano", _mensagem("processo", "ano_futuro", ano=ano, limite=limite))
    if int(ano) < 1990:
        return _falha("ano", _mensagem("processo", "ano", ano=ano, limite=limite))
    return _ok(f"E:{orgao}.{sequencia.zfill(10)}/{ano}")


def _problema_processo(orgao: str, sequencia: str, ano: str) -> str | None:
    if len(orgao) != 5:
        return _mensagem("processo", "orgao", n=len(orgao))
    if int(orgao) == 0:
        return _mensagem("processo", "orgao_zero")
    if len(sequencia) > 10:
        return _mensagem("processo", "sequencia_longa", n=len(sequencia))
    if int(sequencia) == 0:
        return _mensagem("processo", "sequencia_zero")
    if len(ano) != 4:
        return _mensagem("processo", "ano_digitos", n=len(ano))
    return None


# SEI's own number of a document ("número SEI" 12345678): digits only, with
# at most these words around them ("documento SEI nº 12345678").
DOCUMENTO_DIGITOS = (6, 9)
_PARECE_PROCESSO = re.compile(r"[0-9]\s*[./\-]\s*[0-9]|(?<![a-z])E\s*:", re.IGNORECASE)
_PALAVRAS_DOCUMENTO = frozenset(
    {"documento", "doc", "sei", "n", "no", "nr", "num", "numero", "o", "do", "de", "e"}
)


def validar_processo_ou_documento(texto: Any, ano_atual: int | None = None) -> Resultado:
    """A process number (``validar_processo``) or the SEI number of a document.

    A document's number is 6 to 9 digits (SEI shows it as "12345678"), kept
    exactly as typed, leading zeros included.
    """
    s = unicodedata.normalize("NFKC", one_line(texto))[:300]
    compacto = re.sub(r"\s+", "", s).upper()
    if not compacto:
        return _falha("vazio", _mensagem("documento", "vazio"))
    if _partes_processo(compacto) is not None or _PARECE_PROCESSO.search(s):
        return _com_dica_documento(validar_processo(s, ano_atual))
    grupos = re.findall(r"[0-9]+", s)
    palavras_ = re.findall(r"[^\W\d_]+", chave(s))
    if len(grupos) != 1 or any(p not in _PALAVRAS_DOCUMENTO for p in palavras_):
        return _falha("formato", _mensagem("documento", "formato"))
    digitos = grupos[0]
    if len(digitos) == 19:  # the process number's 19 digits
        return _com_dica_documento(validar_processo(digitos, ano_atual))
    minimo, maximo = DOCUMENTO_DIGITOS
    if not minimo <= len(digitos) <= maximo:
        return _falha(
            "digitos",
            _mensagem("documento", "digitos", n=len(digitos), minimo=minimo, maximo=maximo),
        )
    return _ok(digitos)


def _com_dica_documento(resultado: Resultado) -> Resultado:
    """A refused process number, plus how to send a document's number instead."""
    if resultado.ok or resultado.erro is None:
        return resultado
    return replace(resultado, erro=f"{resultado.erro} {_mensagem('documento', 'dica')}")


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


def _opcoes_operacao(opcoes: Sequence[str]) -> str:
    """ "ADICIONAR (incluir ...) ou MUDAR (trocar ...)"."""
    descricoes: dict[str, str] = content.entrada("validacao", "operacao")["descricoes"]
    return _ou([descricoes.get(o, o) for o in opcoes])


def validar_operacao(texto: Any, opcoes: Sequence[str] = OPERACOES) -> Resultado:
    """ADICIONAR, MUDAR or REMOVER from free text ("trocar de setor" -> MUDAR).

    Only ``opcoes`` are accepted (a field's ``Campo.opcoes``): "remover" in
    the lotação form, which offers ADICIONAR and MUDAR, is refused with a
    message that points to the removal request.
    """
    opcoes = tuple(opcoes) or OPERACOES
    citadas = _operacoes_citadas(one_line(texto)[:500])
    if "MUDAR" in citadas or citadas == {"ADICIONAR", "REMOVER"}:
        operacao = "MUDAR"
    elif len(citadas) == 1:
        operacao = citadas.pop()
    else:
        erro = _mensagem(
            "operacao", "nao_reconhecido", opcoes=_opcoes_operacao(opcoes), exemplo=opcoes[-1]
        )
        return _falha("nao_reconhecido", erro)
    if operacao in opcoes:
        return _ok(operacao)
    chave_ = "fora_remover" if operacao == "REMOVER" else "fora_do_formulario"
    erro = _mensagem("operacao", chave_, opcoes=_opcoes_operacao(opcoes), exemplo=opcoes[-1])
    return _falha("fora_do_formulario", erro, reconhecido=True)


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
    "nome_unidade": lambda valor, catalogos: validar_nome_unidade(valor, catalogos.unidades),
    "processo": lambda valor, _catalogos: validar_processo(valor),
    "processo_ou_documento": lambda valor, _catalogos: validar_processo_ou_documento(valor),
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
        unidades = catalogos.unidades if catalogos is not None else None
        return validar_email(valor, aceitar_provedor_problematico, unidades)
    if campo.tipo == "operacao":
        return validar_operacao(valor, campo.opcoes or OPERACOES)
    return validador(valor, catalogos)


# ---------------------------------------------------------------- one row


def _siglas_da_lista(valor: str) -> list[str]:
    return [s.strip() for s in valor.split(",") if s.strip()]


def conferir_linha(tipo: Tipo, linha: Mapping[str, str], campo: Campo, valor: str) -> str | None:
    """The error when ``campo`` = ``valor`` contradicts another field of ``linha``.

    Applies the kind's ``Tipo.regras`` to the validated ``valor`` and the
    values the row already holds (fields no longer asked for the row, such
    as the siglas to remove of an ADICIONAR, are ignored). None: no
    contradiction. The message comes from the ``linha`` group of
    ``bot/content/validacao.yml``.
    """
    if not valor:
        return None
    atual = {**linha, campo.nome: valor}
    ativos = {c.nome for c in tipo.campos_da_linha(atual)}
    for regra in tipo.regras:
        if campo.nome not in regra.campos:
            continue
        outro_nome = regra.campos[1] if regra.campos[0] == campo.nome else regra.campos[0]
        outro = linha.get(outro_nome) or ""
        if not outro or outro_nome not in ativos:
            continue
        campos = {"campo": campo.coluna, "outro": tipo.campo(outro_nome).coluna}
        if regra.regra == "diferentes" and valor == outro:
            return _mensagem("linha", regra.mensagem, valor=valor, **campos)
        if regra.regra == "disjuntos":
            outras = set(_siglas_da_lista(outro))
            comuns = [s for s in _siglas_da_lista(valor) if s in outras]
            if comuns:
                return _mensagem("linha", regra.mensagem, siglas=", ".join(comuns), **campos)
    return None

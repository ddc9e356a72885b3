"""E-mail knowledge used by the e-mail validator (no messages here).

Collective role mailboxes (seed item 4: "não sendo permitido o cadastro de
e-mail de uso coletivo"), mailboxes named after a unit of the catalogue
(``getin@``, ``hge.adm@``), the Hotmail/Outlook/Live/MSN family (seed item 4:
delivery problems) and typo correction of well-known provider domains.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from rapidfuzz import process
from rapidfuzz.distance import OSA

T = TypeVar("T")

# Local parts (after removing digits) that name a role, a unit or a service.
FUNCOES = frozenset(
    [
        "protocolo",
        "protocolos",
        "gabinete",
        "gab",
        "setor",
        "setores",
        "contato",
        "contatos",
        "atendimento",
        "secretaria",
        "secretario",
        "suporte",
        "ti",
        "dti",
        "nti",
        "cti",
        "financeiro",
        "financas",
        "rh",
        "recursoshumanos",
        "diretoria",
        "direcao",
        "diretor",
        "coordenacao",
        "coord",
        "nucleo",
        "gerencia",
        "recepcao",
        "administrativo",
        "administracao",
        "adm",
        "admin",
        "administrador",
        "sac",
        "ouvidoria",
        "comunicacao",
        "ascom",
        "imprensa",
        "noreply",
        "naoresponda",
        "naoresponder",
        "donotreply",
        "info",
        "informacoes",
        "faleconosco",
        "geral",
        "equipe",
        "expediente",
        "licitacao",
        "licitacoes",
        "compras",
        "juridico",
        "almoxarifado",
        "arquivo",
        "patrimonio",
        "planejamento",
        "assessoria",
        "chefia",
        "unidade",
        "departamento",
        "divisao",
        "comissao",
        "webmaster",
        "postmaster",
        "helpdesk",
        "servicedesk",
        "sistemas",
        "informatica",
        "cpd",
        "agendamento",
        "regulacao",
        "vigilancia",
        "auditoria",
        "transparencia",
        "triagem",
        "plantao",
    ]
)

# Role words that make an address collective wherever they appear
# ("sesau.protocolo") or as a prefix ("protocolosesau").
FUNCOES_FORTES = frozenset(p for p in FUNCOES if len(p) >= 6)
PREFIXOS_FORTES = (
    "protocolo",
    "gabinete",
    "atendimento",
    "secretaria",
    "ouvidoria",
    "coordenacao",
    "diretoria",
    "gerencia",
    "recepcao",
    "administrativo",
    "financeiro",
    "comunicacao",
    "suporte",
    "contato",
    "noreply",
    "naoresponda",
    "faleconosco",
    "helpdesk",
)

# Seed item 4: Hotmail and Outlook (and the other Microsoft consumer domains).
_PROBLEMATICO = re.compile(
    r"^(hotmail|outlook|live|msn|windowslive|passport)"
    r"\.(com|net|com\.[a-z]{2}|co\.[a-z]{2}|[a-z]{2})$"
)

# Well-known consumer domains, in order of preference for suggestions.
CONHECIDOS = (
    "gmail.com",
    "yahoo.com.br",
    "yahoo.com",
    "hotmail.com",
    "hotmail.com.br",
    "outlook.com",
    "outlook.com.br",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "uol.com.br",
    "bol.com.br",
    "terra.com.br",
    "ig.com.br",
    "globo.com",
    "globomail.com",
    "r7.com",
    "oi.com.br",
    "zipmail.com.br",
    "aol.com",
    "aol.com.br",
    "protonmail.com",
    "proton.me",
    "pm.me",
    "tutanota.com",
    "zoho.com",
    "yandex.com",
    "gmx.com",
    "gmx.net",
    "mail.com",
    "email.com",
    "ymail.com",
    "rocketmail.com",
    "googlemail.com",
    "yahoo.com.ar",
    "yahoo.com.mx",
    "yahoo.co.uk",
    "yahoo.fr",
    "yahoo.es",
    "yahoo.it",
    "yahoo.de",
)
_CONHECIDOS = frozenset(CONHECIDOS)
_ROTULOS = frozenset(d.split(".", 1)[0] for d in CONHECIDOS)
# Providers that only exist as ".com" ("gmail.com.br" is a typo).
_SO_PONTO_COM = frozenset({"gmail", "googlemail", "icloud", "protonmail", "ymail"})
# Provider names worth correcting by edit distance (long enough not to
# collide with real organisation names).
_ALVOS_ROTULO = ("gmail", "hotmail", "outlook", "yahoo", "icloud", "protonmail")
# Mistyped endings of any domain.
_SUFIXOS_ERRADOS = {
    "con": "com",
    "cpm": "com",
    "vom": "com",
    "xom": "com",
    "cmo": "com",
    "ocm": "com",
    "comm": "com",
    "coom": "com",
    "cm": "com",
    "om": "com",
    "combr": "com.br",
    "com.b": "com.br",
    "com.brr": "com.br",
    "con.br": "com.br",
    "cm.br": "com.br",
    "com.bt": "com.br",
    "com.vr": "com.br",
    "combr.br": "com.br",
}
_INSTITUCIONAIS = frozenset({"gov", "edu", "jus", "mp", "leg", "mil", "def", "org"})


def eh_coletivo(local: str) -> bool:
    """Whether the local part of an address names a role, not a person."""
    minusculo = local.lower()
    letras = re.sub(r"[^a-z]", "", minusculo)
    if letras in FUNCOES:
        return True
    tokens = [re.sub(r"\d+", "", t) for t in re.split(r"[._+\-]+", minusculo)]
    tokens = [t for t in tokens if t]
    if tokens and tokens[0] in FUNCOES:
        return True
    if any(t in FUNCOES_FORTES for t in tokens):
        return True
    return letras.startswith(PREFIXOS_FORTES)


# Words that, next to a unit's sigla, still name the institution, not a person
# ("getin.sei@", "hge.saude@", "suvisa.al@").
INSTITUCIONAIS = frozenset(
    {
        "sei",
        "saude",
        "sesau",
        "al",
        "alagoas",
        "maceio",
        "gov",
        "governo",
        "estado",
        "estadual",
        "hospital",
        "upa",
        "sus",
        "oficial",
        "institucional",
    }
)
# Shortest sigla that makes an address collective: two letters ("ti", "rh")
# are covered by FUNCOES; a two-letter sigla alone is too often initials.
MENOR_SIGLA = 3


def tokens_do_local(local: str) -> list[str]:
    """The words of a local part: split on ". _ - +" and digits, lowercase."""
    return [t for t in re.split(r"[._+\-\d]+", local.lower()) if t]


def unidade_do_endereco(local: str, por_sigla: Callable[[str], T | None]) -> T | None:
    """The unit an address is named after ("getin@", "hge.adm@", "suvisa2@"), or None.

    ``por_sigla`` finds a unit by its sigla (``CatalogoUnidades.por_sigla_compacta``).
    The address is collective when a word of its local part (or the whole
    local part, letters only: "upajac@" for UPA-JAC) is a sigla of at least
    ``MENOR_SIGLA`` letters and every other word is a sigla, a role word
    (``FUNCOES``) or an institutional word (``INSTITUCIONAIS``). A word that
    may be a person's name keeps the address personal: "maria.getin@",
    "getin.jose@" pass.
    """
    tokens = tokens_do_local(local)
    if not tokens:
        return None
    inteiro = "".join(tokens)
    if len(inteiro) >= MENOR_SIGLA:
        unidade = por_sigla(inteiro)
        if unidade is not None:
            return unidade
    unidades = [por_sigla(t) if len(t) >= MENOR_SIGLA else None for t in tokens]
    achada = next((u for u in unidades if u is not None), None)
    if achada is None:
        return None
    resto = [t for t, u in zip(tokens, unidades, strict=True) if u is None]
    if all(t in FUNCOES or t in INSTITUCIONAIS for t in resto):
        return achada
    return None


def eh_problematico(dominio: str) -> bool:
    """Whether the domain is Hotmail/Outlook/Live/MSN (seed item 4)."""
    return bool(_PROBLEMATICO.match(dominio.lower()))


def _rotulo_corrigido(rotulo: str) -> str | None:
    """The provider name ``rotulo`` is (or is a typo of), if any."""
    if rotulo in _ROTULOS:
        return rotulo
    if len(rotulo) < 4:
        return None
    limite = 1 if len(rotulo) < 8 else 2
    achado = process.extractOne(rotulo, _ALVOS_ROTULO, scorer=OSA.distance, score_cutoff=limite)
    return achado[0] if achado else None


def corrigir_dominio(dominio: str) -> str | None:
    """The well-known domain ``dominio`` is a typo of, or None.

    Never "corrects" an unknown but plausible domain (``saude.al.gov.br``):
    only provider names close to a well-known one, and endings such as
    ``.con`` or ``.com.b``, are corrected.
    """
    limpo = re.sub(r"\.{2,}", ".", dominio.lower().replace(",", ".")).strip(".")
    if not limpo or len(limpo) > 64:
        return None
    if limpo in _CONHECIDOS:
        return limpo if limpo != dominio else None
    rotulos = limpo.split(".")
    if len(rotulos) > 3 or _INSTITUCIONAIS.intersection(rotulos[1:]):
        return None
    sufixo = ".".join(rotulos[1:])
    sufixo = _SUFIXOS_ERRADOS.get(sufixo, sufixo)
    rotulo = _rotulo_corrigido(rotulos[0])
    if rotulo is None:
        corrigido = f"{rotulos[0]}.{sufixo}" if sufixo else None
    elif rotulo in _SO_PONTO_COM:
        corrigido = f"{rotulo}.com"
    else:
        corrigido = _melhor_sufixo(rotulo, sufixo)
    return corrigido if corrigido and corrigido != dominio else None


def _melhor_sufixo(rotulo: str, sufixo: str) -> str | None:
    """The known domain of provider ``rotulo`` whose ending is closest to ``sufixo``."""
    candidatos = [d for d in CONHECIDOS if d.split(".", 1)[0] == rotulo]
    if not sufixo:
        return candidatos[0]
    sufixos = [d.split(".", 1)[1] for d in candidatos]
    achado = process.extractOne(sufixo, sufixos, scorer=OSA.distance, score_cutoff=1)
    return candidatos[achado[2]] if achado else None

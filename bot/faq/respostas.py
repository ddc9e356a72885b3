"""FAQ answers: the 22 items of the SESAU page, rendered for a chat.

Content lives in ``bot/content/faq.yml``; the "clique aqui" links live in
one configuration file (``config/links.yml``) that the NTS fills in, or sets
in the NTS panel (an override file under ``var/``, key by key; ``LinksVigentes``
rereads both when they change, no restart). A link that is still a
placeholder is never shown: the answer says it is not available here and
gives the NTS phones instead.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from bot import content

logger = logging.getLogger(__name__)
LIMITE_MENSAGEM = 600
TELEFONES_NTS = "3315-1101 ou 3315-1128"

_LINHA_LINK = re.compile(r"^\{link:([a-z0-9_]+)\}$")
_URL = re.compile(r"^https?://[^\s<>\"']+$")


@dataclass(frozen=True)
class Topico:
    """One FAQ topic: the intent that triggers it and its answer."""

    intencao: str
    titulo: str
    itens: tuple[str, ...]
    resposta: str


@dataclass(frozen=True)
class Link:
    """A configurable link; ``url`` is None while it is a placeholder."""

    chave: str
    rotulo: str
    url: str | None


class ConteudoInvalido(ValueError):
    """The FAQ content or the links file is malformed."""


@cache
def carregar_topicos() -> dict[str, Topico]:
    """The FAQ topics of ``bot/content/faq.yml``, keyed by intent name."""
    topicos = {}
    for intencao, item in content.entrada("faq", "topicos").items():
        topicos[intencao] = Topico(
            intencao=intencao,
            titulo=item["titulo"],
            itens=tuple(str(i) for i in item["itens"]),
            resposta=item["resposta"].strip(),
        )
    return topicos


@cache
def mais_procurados() -> tuple[str, ...]:
    """Intents of the topics shown in the short menu."""
    return tuple(content.entrada("faq", "mais_procurados"))


def carregar_links(caminho: Path, sobreposicao: Path | None = None) -> dict[str, Link]:
    """Load the links file; placeholder or non-http(s) URLs become None.

    ``sobreposicao``: a ``chave: url`` file (the NTS panel's) whose URLs
    replace those of the same keys; absent file, nothing replaced.
    """
    dados = yaml.safe_load(Path(caminho).read_text(encoding="utf-8")) or {}
    if not isinstance(dados, dict):
        raise ConteudoInvalido(f"{caminho}: esperado um mapa chave -> {{rotulo, url}}")
    urls = ler_sobreposicao(sobreposicao) if sobreposicao is not None else {}
    links = {}
    for chave, item in dados.items():
        if not isinstance(item, dict) or "rotulo" not in item:
            raise ConteudoInvalido(f"{caminho}: o link '{chave}' precisa de 'rotulo' e 'url'")
        url = str(urls.get(chave, item.get("url")) or "").strip()
        links[chave] = Link(chave, str(item["rotulo"]), url if _URL.match(url) else None)
    return links


def ler_sobreposicao(caminho: Path) -> dict[str, str]:
    """The ``chave: url`` override file; {} when it does not exist."""
    try:
        texto = Path(caminho).read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    dados = yaml.safe_load(texto) or {}
    if not isinstance(dados, dict) or not all(isinstance(v, str) for v in dados.values()):
        raise ConteudoInvalido(f"{caminho}: esperado um mapa chave -> url")
    return {str(k): v for k, v in dados.items()}


def _assinatura(caminho: Path | None) -> tuple[int, int, int] | None:
    if caminho is None:
        return None
    try:
        info = os.stat(caminho)
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size, info.st_ino


class LinksVigentes:
    """The links in effect, reread when the file or its override changes
    (mtime, size, inode); a bad change is logged and the last good links stay.
    A malformed file at construction raises ``ConteudoInvalido``."""

    def __init__(self, caminho: Path, sobreposicao: Path | None = None) -> None:
        self._caminho, self._sobreposicao = Path(caminho), sobreposicao
        self._trava = threading.Lock()
        self._visto = self._assinaturas()
        self._links = carregar_links(self._caminho, self._sobreposicao)

    def _assinaturas(self) -> tuple[object, object]:
        return _assinatura(self._caminho), _assinatura(self._sobreposicao)

    def atual(self) -> dict[str, Link]:
        """The links, reloaded first if a file changed."""
        assinaturas = self._assinaturas()
        if assinaturas == self._visto:
            return self._links
        with self._trava:
            if assinaturas != self._visto:
                try:
                    self._links = carregar_links(self._caminho, self._sobreposicao)
                except (OSError, yaml.YAMLError, ConteudoInvalido) as erro:
                    logger.error("Links file changed but is invalid; keeping the last. %s", erro)
                self._visto = assinaturas
        return self._links


def formatar_link(link: Link | None) -> str:
    """One line for a link: the URL, or where to get it while unset."""
    if link is None or link.url is None:
        rotulo = link.rotulo if link else "Link"
        return (
            f"{rotulo}: o link ainda não está disponível aqui; "
            f"peça-o ao SESAU NTS pelos telefones {TELEFONES_NTS}."
        )
    return f"{link.rotulo}: {link.url}"


def formatar_resposta(resposta: str, links: Mapping[str, Link]) -> str:
    """Replace every ``{link:KEY}`` line of an answer."""
    linhas = []
    for linha in resposta.splitlines():
        achado = _LINHA_LINK.match(linha.strip())
        linhas.append(formatar_link(links.get(achado.group(1))) if achado else linha)
    return "\n".join(linhas)


def dividir_mensagens(texto: str, limite: int = LIMITE_MENSAGEM) -> list[str]:
    """Split a text into chat messages of at most ``limite`` characters.

    Paragraphs are kept whole and packed together while they fit; a longer
    paragraph is cut at sentence, then word boundaries.
    """
    pedacos: list[str] = []
    for paragrafo in [p.strip() for p in texto.split("\n\n") if p.strip()]:
        pedacos.extend(_cortar(paragrafo, limite))
    mensagens: list[str] = []
    for pedaco in pedacos:
        if mensagens and len(mensagens[-1]) + 2 + len(pedaco) <= limite:
            mensagens[-1] += "\n\n" + pedaco
        else:
            mensagens.append(pedaco)
    return mensagens


def _cortar(paragrafo: str, limite: int) -> list[str]:
    if len(paragrafo) <= limite:
        return [paragrafo]
    for separador in (". ", "; ", " "):
        partes = paragrafo.split(separador)
        if len(partes) == 1:
            continue
        blocos, atual = [], ""
        for i, parte in enumerate(partes):
            trecho = parte + (separador.rstrip() if i < len(partes) - 1 else "")
            candidato = f"{atual} {trecho}".strip() if atual else trecho
            if len(candidato) <= limite:
                atual = candidato
            else:
                if atual:
                    blocos.append(atual)
                atual = trecho
        blocos.append(atual)
        if all(len(b) <= limite for b in blocos):
            return blocos
    return [paragrafo[i : i + limite] for i in range(0, len(paragrafo), limite)]


def responder(intencao: str, links: Mapping[str, Link]) -> list[str]:
    """The chat messages that answer a FAQ intent."""
    topico = carregar_topicos()[intencao]
    return dividir_mensagens(formatar_resposta(topico.resposta, links))

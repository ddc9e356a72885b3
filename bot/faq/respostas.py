"""FAQ answers: the 22 items of the SESAU page, rendered for a chat.

Content lives in ``bot/content/faq.yml``; the "clique aqui" links live in
one configuration file (``config/links.yml``) that the NTS fills in. A link
that is still a placeholder is never shown: the answer says it is not
available here and gives the NTS phones instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from bot.content import CONTENT_DIR

CONTENT_FILE = CONTENT_DIR / "faq.yml"
MAX_MESSAGE_CHARS = 600
TELEFONES_NTS = "3315-1101 ou 3315-1128"

_LINK_LINE = re.compile(r"^\{link:([a-z0-9_]+)\}$")
_URL = re.compile(r"^https?://[^\s<>\"']+$")


@dataclass(frozen=True)
class Topico:
    """One FAQ topic: the intent that triggers it and its answer."""

    intent: str
    titulo: str
    itens: tuple[str, ...]
    resposta: str


@dataclass(frozen=True)
class Link:
    """A configurable link; ``url`` is None while it is a placeholder."""

    chave: str
    rotulo: str
    url: str | None


class ContentError(ValueError):
    """The FAQ content or the links file is malformed."""


@cache
def load_topicos(path: Path = CONTENT_FILE) -> dict[str, Topico]:
    """Load the FAQ topics, keyed by intent name."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    topicos = {}
    for intent, item in data["topicos"].items():
        topicos[intent] = Topico(
            intent=intent,
            titulo=item["titulo"],
            itens=tuple(str(i) for i in item["itens"]),
            resposta=item["resposta"].strip(),
        )
    return topicos


@cache
def mais_procurados(path: Path = CONTENT_FILE) -> tuple[str, ...]:
    """Intents of the topics shown in the short menu."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return tuple(data["mais_procurados"])


def load_links(path: Path) -> dict[str, Link]:
    """Load the links file; placeholder or non-http(s) URLs become None."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ContentError(f"{path}: esperado um mapa chave -> {{rotulo, url}}")
    links = {}
    for chave, item in data.items():
        if not isinstance(item, dict) or "rotulo" not in item:
            raise ContentError(f"{path}: o link '{chave}' precisa de 'rotulo' e 'url'")
        url = str(item.get("url") or "").strip()
        links[chave] = Link(chave, str(item["rotulo"]), url if _URL.match(url) else None)
    return links


def render_link(link: Link | None) -> str:
    """One line for a link: the URL, or where to get it while unset."""
    if link is None or link.url is None:
        rotulo = link.rotulo if link else "Link"
        return (
            f"{rotulo}: o link ainda não está disponível aqui; "
            f"peça-o ao SESAU NTS pelos telefones {TELEFONES_NTS}."
        )
    return f"{link.rotulo}: {link.url}"


def render_text(resposta: str, links: Mapping[str, Link]) -> str:
    """Replace every ``{link:KEY}`` line of an answer."""
    lines = []
    for line in resposta.splitlines():
        match = _LINK_LINE.match(line.strip())
        lines.append(render_link(links.get(match.group(1))) if match else line)
    return "\n".join(lines)


def split_messages(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Split a text into chat messages of at most ``limit`` characters.

    Paragraphs are kept whole and packed together while they fit; a longer
    paragraph is cut at sentence, then word boundaries.
    """
    pieces: list[str] = []
    for paragraph in [p.strip() for p in text.split("\n\n") if p.strip()]:
        pieces.extend(_cut(paragraph, limit))
    messages: list[str] = []
    for piece in pieces:
        if messages and len(messages[-1]) + 2 + len(piece) <= limit:
            messages[-1] += "\n\n" + piece
        else:
            messages.append(piece)
    return messages


def _cut(paragraph: str, limit: int) -> list[str]:
    if len(paragraph) <= limit:
        return [paragraph]
    for separator in (". ", "; ", " "):
        parts = paragraph.split(separator)
        if len(parts) == 1:
            continue
        chunks, current = [], ""
        for i, part in enumerate(parts):
            part = part + (separator.rstrip() if i < len(parts) - 1 else "")
            candidate = f"{current} {part}".strip() if current else part
            if len(candidate) <= limit:
                current = candidate
            else:
                if current:
                    chunks.append(current)
                current = part
        chunks.append(current)
        if all(len(c) <= limit for c in chunks):
            return chunks
    return [paragraph[i : i + limit] for i in range(0, len(paragraph), limit)]


def answer(intent: str, links: Mapping[str, Link]) -> list[str]:
    """The chat messages that answer a FAQ intent."""
    topico = load_topicos()[intent]
    return split_messages(render_text(topico.resposta, links))

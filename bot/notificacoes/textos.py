"""The messages: plain text and simple HTML, from ``bot/content/notificacoes.yml``.

Built from an outbox row's ``dados`` (protocol, kind, unit, situation, the
visible note, deadline): never a CPF, an e-mail or another person's data.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot import content


def texto(chave: str, **campos: object) -> str:
    """One text of ``bot/content/notificacoes.yml``."""
    return content.texto("notificacoes", chave, **campos)


@dataclass(frozen=True)
class Mensagem:
    """A message: subject (e-mail), plain text, HTML; the "parar avisos" link, if any."""

    assunto: str
    texto: str
    html: str
    link_parar: str | None = None


def _montar(assunto: str, paragrafos: Sequence[str], link_parar: str | None = None) -> Mensagem:
    partes = [p for p in paragrafos if p]
    corpo_html = "".join("<p>" + html.escape(p).replace("\n", "<br>\n") + "</p>\n" for p in partes)
    return Mensagem(
        assunto=assunto,
        texto="\n\n".join(partes) + "\n",
        html=f'<!doctype html>\n<html lang="pt-BR"><body>\n{corpo_html}</body></html>\n',
        link_parar=link_parar,
    )


def situacao(dados: Mapping[str, Any], link_parar: str | None = None) -> Mensagem:
    """To the requester: a status change or a visible note."""
    campos = {"protocolo": dados["protocolo"], "tipo": dados["tipo"], "situacao": dados["situacao"]}
    proximos = content.entrada("notificacoes", "proximo")
    return _montar(
        texto("assunto_situacao", **campos),
        [
            texto("situacao", **campos),
            texto("observacao", nota=dados["nota"]) if dados.get("nota") else "",
            str(proximos.get(dados["status"], "")),
            texto("consulta", protocolo=dados["protocolo"]),
            texto("parar_link", link=link_parar) if link_parar else texto("parar_texto"),
            texto("assinatura"),
        ],
        link_parar,
    )


def nova(dados: Mapping[str, Any], link: str) -> Mensagem:
    """To the NTS: a new request."""
    campos = {k: dados[k] for k in ("protocolo", "tipo", "unidade", "prazo")}
    return _montar(
        texto("assunto_nova", protocolo=dados["protocolo"], tipo=dados["tipo"]),
        [texto("nova", link=link, **campos), texto("assinatura")],
    )


def resumo(dados: Mapping[str, Any], link: Any) -> Mensagem:
    """To the NTS: the daily digest; ``link(protocolo)`` gives the panel URL."""

    def itens(chave: str) -> str:
        linhas = [
            texto("resumo_item", link=link(i["protocolo"]), **i) for i in dados.get(chave, [])
        ]
        return "\n".join([texto(f"resumo_{chave}"), *linhas]) if linhas else ""

    vencendo, atrasadas = len(dados.get("vencendo", [])), len(dados.get("atrasadas", []))
    return _montar(
        texto("assunto_resumo", dia=dados["dia"]),
        [
            texto("resumo", dia=dados["dia"], vencendo=vencendo, atrasadas=atrasadas),
            itens("vencendo"),
            itens("atrasadas"),
            "" if vencendo or atrasadas else texto("resumo_nada"),
            texto("assinatura"),
        ],
    )

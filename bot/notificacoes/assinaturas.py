"""The requester's side: who is told of a request, and how to stop it.

One subscription per request and channel (``email``: an address the requester
gave; ``telegram``: the chat; ``web``: the widget's sender id). The address is
stored Fernet-encrypted (``segredo.Chaves``), with an HMAC of it for the web
lookup; it is deleted by ``purgar`` (request ended + retention, and
``sei-nts privacy purge``). The engine and the channels call:

- ``assinar(store, chaves, protocolo, canal, endereco)`` after a filing;
- ``parar(store, protocolo)`` for "parar avisos" (and the signed link:
  ``parar_por_link(store, chaves, token)``);
- ``pendentes_para(store, chaves, sender)``: the web widget's notices, shown on
  the requester's next message (each once).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from bot.notificacoes import textos
from bot.notificacoes.fila import DESCARTADA, ENVIADA, PENDENTE, agora_utc
from bot.notificacoes.segredo import Chaves
from bot.notificacoes.tabelas import migrar, notification_subscriptions, notifications
from bot.solicitacoes.protocolo import normalizar_protocolo
from bot.solicitacoes.store import STATUS_ABERTOS, RequestStore, requests, status_history

logger = logging.getLogger(__name__)

CANAIS = ("email", "telegram", "web")


def _protocolo(protocolo: str) -> str:
    canonico = normalizar_protocolo(protocolo)
    if canonico is None:
        raise ValueError(f"Protocolo inválido: {protocolo!r}. Use o formato NTS-AAAA-NNNNNN.")
    return canonico


def assinar(store: RequestStore, chaves: Chaves, protocolo: str, canal: str, endereco: str) -> None:
    """Send the notices of ``protocolo`` to ``endereco`` on ``canal`` (replacing the
    previous address of that channel). The e-mail is validated by the caller."""
    if canal not in CANAIS:
        raise ValueError(f"Canal de avisos desconhecido: {canal!r}. Use: {', '.join(CANAIS)}.")
    endereco = endereco.strip()
    if not endereco or any(c.isspace() or not c.isprintable() for c in endereco):
        raise ValueError("Endereço para os avisos vazio ou com espaços: confira e envie de novo.")
    if canal == "email" and (endereco.count("@") != 1 or "." not in endereco.split("@")[1]):
        raise ValueError(f"E-mail inválido para os avisos: {endereco!r}. Exemplo: nome@gmail.com.")
    canonico = _protocolo(protocolo)
    s = notification_subscriptions.c
    valores = {
        "endereco": chaves.cifrar(endereco),
        "busca": chaves.busca(canal, endereco),
        "ativa": True,
    }
    with store.na_transacao() as conn:
        if (
            conn.execute(sa.select(requests.c.id).where(requests.c.protocolo == canonico)).first()
            is None
        ):
            raise LookupError(f"Nenhuma solicitação encontrada com o protocolo {protocolo!r}.")
        feito = conn.execute(
            notification_subscriptions.update()
            .where(s.protocolo == canonico, s.canal == canal)
            .values(**valores)
        )
        if not feito.rowcount:
            conn.execute(
                notification_subscriptions.insert().values(
                    protocolo=canonico, canal=canal, criada_em=agora_utc(), **valores
                )
            )
    logger.info("Request %s: notices on %s.", canonico, canal)


def parar(store: RequestStore, protocolo: str) -> bool:
    """Stop every notice of ``protocolo`` (queued ones included); False if none was on."""
    canonico = _protocolo(protocolo)
    s, n = notification_subscriptions.c, notifications.c
    with store.na_transacao() as conn:
        ids = list(
            conn.execute(
                sa.select(s.id).where(s.protocolo == canonico, s.ativa == sa.true())
            ).scalars()
        )
        if ids:
            conn.execute(
                notification_subscriptions.update().where(s.id.in_(ids)).values(ativa=False)
            )
            conn.execute(
                notifications.update()
                .where(n.assinatura_id.in_(ids), n.estado == PENDENTE)
                .values(estado=DESCARTADA, enviada_em=agora_utc())
            )
    logger.info("Request %s: notices stopped.", canonico)
    return bool(ids)


def link_parar(chaves: Chaves, prefixo: str, protocolo: str) -> str:
    """The one-click "parar avisos" link of an e-mail: ``SEI_AVISOS_PARAR_URL`` plus
    the signed token (the web gateway serves it: GET a page with a button, POST stops)."""
    return f"{prefixo.rstrip('/')}/{chaves.assinar_parada(protocolo)}"


def parar_por_link(store: RequestStore, chaves: Chaves, token: str) -> str | None:
    """Stop the notices of the request a signed link names; its protocol, or None
    if the link is not valid (then show ``textos.texto("parar_link_invalido")``)."""
    protocolo = chaves.verificar_parada(token)
    if protocolo is None or normalizar_protocolo(protocolo) is None:
        return None
    parar(store, protocolo)
    return protocolo


def endereco(store: RequestStore, chaves: Chaves, assinatura_id: int) -> tuple[str, str] | None:
    """(channel, clear address) of an active subscription; None if stopped or purged."""
    s = notification_subscriptions.c
    with store.na_leitura() as conn:
        r = conn.execute(
            sa.select(s.canal, s.endereco).where(s.id == assinatura_id, s.ativa == sa.true())
        ).first()
    if r is None:
        return None
    claro = chaves.decifrar(r.endereco)
    return None if claro is None else (r.canal, claro)


def pendentes_para(store: RequestStore, chaves: Chaves, sender: str) -> list[str]:
    """The notices waiting for a web chat sender (plain text), marked shown. Called
    on every web message: a read, and a write only when there is something to show."""
    s, n = notification_subscriptions.c, notifications.c
    consulta = (
        sa.select(n.id, n.dados)
        .join(notification_subscriptions, s.id == n.assinatura_id)
        .where(
            s.busca == chaves.busca("web", sender),
            s.ativa == sa.true(),
            n.canal == "web",
            n.estado == PENDENTE,
        )
        .order_by(n.id)
    )
    with store.na_leitura() as conn:
        if conn.execute(consulta.limit(1)).first() is None:
            return []
    with store.na_transacao() as conn:
        linhas = conn.execute(consulta).all()  # again: another process may have shown them
        if linhas:
            conn.execute(
                notifications.update()
                .where(n.id.in_([r.id for r in linhas]), n.estado == PENDENTE)
                .values(estado=ENVIADA, enviada_em=agora_utc(), tentativas=1)
            )
    return [textos.situacao(json.loads(r.dados)).texto for r in linhas]


def purgar(
    store: RequestStore, dias: int, *, simular: bool = False, agora: datetime | None = None
) -> int:
    """Delete the subscriptions (addresses, chat references) of requests ended more
    than ``dias`` days ago, and notifications older than that; how many subscriptions."""
    momento = agora.astimezone(timezone.utc).replace(tzinfo=None) if agora else agora_utc()
    corte = momento - timedelta(days=dias)
    s, n = notification_subscriptions.c, notifications.c
    ultima = (
        sa.select(sa.func.max(status_history.c.em))
        .join(requests, requests.c.id == status_history.c.request_id)
        .where(requests.c.protocolo == s.protocolo)
        .scalar_subquery()
    )
    aberta = sa.select(requests.c.id).where(
        requests.c.protocolo == s.protocolo, requests.c.status.in_(STATUS_ABERTOS)
    )
    condicao = sa.and_(~aberta.exists(), sa.or_(ultima.is_(None), ultima < corte))
    with store.na_transacao() as conn:
        migrar(conn)  # the worker may never have run
        ids = list(conn.execute(sa.select(s.id).where(condicao)).scalars())
        if not simular and ids:
            conn.execute(notifications.delete().where(n.assinatura_id.in_(ids)))
            conn.execute(notification_subscriptions.delete().where(s.id.in_(ids)))
        if not simular:
            conn.execute(
                notifications.delete().where(
                    n.criada_em < corte, n.estado.in_((ENVIADA, DESCARTADA))
                )
            )
    logger.info("Notice subscriptions purged: %d%s.", len(ids), " (dry run)" if simular else "")
    return len(ids)

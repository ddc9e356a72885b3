"""The daily cap of requests one conversation may file (one abuser cannot flood the NTS).

The count is of the requests the conversation (``contato``) filed since
midnight in Maceió; ``SEI_LIMITE_REGISTROS_DIA`` sets the cap (0: none). The
NTS lifts it for the rest of the day with ``sei-nts requests liberar-limite
PROTOCOLO``: an audit entry (``limite_liberado``) naming the conversation by a
hash, never in clear. ``Servicos.registrar`` applies it (``LimiteDiario``).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from bot.solicitacoes.store import RequestStore, audit_log, requests
from bot.solicitacoes.tipos import FUSO

ACAO_LIBERAR = "limite_liberado"


class LimiteDiario(Exception):
    """The conversation reached today's cap (``limite``): nothing was filed."""

    def __init__(self, limite: int) -> None:
        super().__init__(f"daily filing cap of {limite} reached")
        self.limite = limite


def _alvo(contato: str) -> str:
    return "contato:" + hashlib.blake2b(contato.encode(), digest_size=16).hexdigest()


def _meia_noite_utc(agora: datetime | None) -> datetime:
    """Today's midnight in Maceió, as the naive UTC the store keeps."""
    local = (agora or datetime.now(timezone.utc)).astimezone(FUSO)
    meia_noite = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return meia_noite.astimezone(timezone.utc).replace(tzinfo=None)


def registradas_hoje(store: RequestStore, contato: str, agora: datetime | None = None) -> int:
    """How many requests ``contato`` filed today (Maceió)."""
    desde = (agora or datetime.now(timezone.utc)).astimezone(FUSO).date()
    return sum(1 for s in store.listar(desde=desde) if s.contato == contato)


def liberada_hoje(store: RequestStore, contato: str, agora: datetime | None = None) -> bool:
    """The NTS lifted the cap of ``contato`` today."""
    inicio = _meia_noite_utc(agora)
    consulta = (
        sa.select(sa.func.count())
        .select_from(audit_log)
        .where(audit_log.c.acao == ACAO_LIBERAR)
        .where(audit_log.c.alvo == _alvo(contato))
        .where(audit_log.c.em >= inicio)
        .where(audit_log.c.em < inicio + timedelta(days=1))
    )
    with store.na_transacao() as conn:
        return bool(conn.execute(consulta).scalar())


def pode_registrar(
    store: RequestStore, contato: str, limite: int, agora: datetime | None = None
) -> bool:
    """``contato`` may file one more request today."""
    if limite <= 0 or not contato:
        return True
    return registradas_hoje(store, contato, agora) < limite or liberada_hoje(store, contato, agora)


def liberar(store: RequestStore, protocolo: str, autor: str) -> str:
    """Lift today's cap of the conversation that filed ``protocolo``; its protocol."""
    solicitacao = store.buscar(protocolo)
    if solicitacao is None:
        raise LookupError(f"Nenhuma solicitação encontrada com o protocolo {protocolo!r}.")
    store.auditar(
        autor=autor,
        acao=ACAO_LIBERAR,
        alvo=_alvo(solicitacao.contato),
        nota=f"limite diário de registros liberado hoje para quem registrou {protocolo}",
    )
    return solicitacao.protocolo


def ja_registrada(store: RequestStore, chave_envio: str) -> bool:
    """The form ``chave_envio`` (``Estado.id``) was filed already (a retried Confirmar)."""
    consulta = sa.select(requests.c.id).where(requests.c.submission_key == chave_envio)
    with store.na_transacao() as conn:
        return conn.execute(consulta).first() is not None

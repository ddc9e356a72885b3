"""The NTS's daily digest: requests due in the next 24 h and those already late."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from bot.notificacoes.fila import Destinos, _chave, enfileirar
from bot.solicitacoes.store import STATUS_ABERTOS, RequestStore
from bot.solicitacoes.tipos import FUSO, TIPOS


def hora(texto: str) -> time:
    """``HH:MM`` -> time; ValueError (Portuguese) naming the variable."""
    try:
        h, m = (int(p) for p in texto.strip().split(":"))
        return time(h, m)
    except ValueError:
        raise ValueError(
            f"SEI_AVISOS_RESUMO_HORA: esperado HH:MM (ex.: 08:00), recebido {texto!r}."
        ) from None


def conteudo(store: RequestStore, agora: datetime) -> dict[str, Any]:
    """The digest's data at ``agora`` (aware): protocol, kind, unit, deadline only."""
    vencendo: list[dict[str, str]] = []
    atrasadas: list[dict[str, str]] = []
    for status in STATUS_ABERTOS:
        for s in store.listar(status=status):
            item = {
                "protocolo": s.protocolo,
                "tipo": TIPOS[s.tipo].titulo,
                "unidade": s.unidade,
                "prazo": s.prazo_em.strftime("%d/%m/%Y %H:%M"),
            }
            if s.prazo_em < agora:
                atrasadas.append(item)
            elif s.prazo_em < agora + timedelta(hours=24):
                vencendo.append(item)
    return {
        "dia": agora.astimezone(FUSO).strftime("%d/%m/%Y"),
        "vencendo": sorted(vencendo, key=lambda i: i["protocolo"]),
        "atrasadas": sorted(atrasadas, key=lambda i: i["protocolo"]),
    }


def enfileirar_resumo(
    store: RequestStore, destinos: Destinos, horario: time, agora: datetime | None = None
) -> int:
    """Queue today's digest once it is past ``horario`` (Maceio); once a day even
    with several workers (idempotency key per day). How many were queued."""
    momento = (agora or datetime.now(FUSO)).astimezone(FUSO)
    if momento.time() < horario or not (destinos.emails_nts or destinos.telegram_nts):
        return 0
    dia = momento.date().isoformat()
    alvos = [("email", e) for e in destinos.emails_nts]
    if destinos.telegram_nts:
        alvos.append(("telegram", destinos.telegram_nts))
    dados = conteudo(store, momento)
    n = 0
    with store.na_transacao() as conn:
        for canal, destino in alvos:
            n += enfileirar(
                conn,
                chave=_chave("resumo", dia, canal, destino),
                evento="resumo",
                canal=canal,
                destino=destino,
                dados=dados,
            )
    return n

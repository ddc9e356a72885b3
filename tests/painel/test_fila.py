"""The request store's side of the panel (queue, search, history, assignment,
users, throttling records) on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from bot.solicitacoes import atendimento
from bot.solicitacoes.store import FiltroFila, RequestStore

AGORA = datetime(2026, 6, 10, 15, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        s = RequestStore(f"sqlite:///{tmp_path / 'r.db'}")
        yield s
        s.fechar()
        return
    s = RequestStore(request.getfixturevalue("pg_url"))
    yield s
    s.fechar()


def _arquivar(store, n, quando, tipo="cadastro_usuario", unidade="GETIN", **campos):
    linha = {
        "nome": campos.pop("nome", f"Pessoa {n}"),
        "cpf": campos.pop("cpf", "529.982.247-25"),
        "email": f"p{n}@example.com",
        "sigla": unidade,
        "cargo": "Enfermeiro",
    }
    if tipo == "desanexacao":
        linha = {"processo_principal": "1", "processo_anexado": "2", "motivo": "m", "sigla": "NTS"}
    return store.registrar(
        tipo,
        [linha],
        canal="rest",
        contato="c",
        unidade=unidade,
        chave_envio=f"k{n}",
        agora=quando,
    )[0]


def test_queue_filters_search_and_pages(store):
    velha = _arquivar(store, 1, AGORA - timedelta(hours=80), nome="José Ação da Silva")
    media = _arquivar(store, 2, AGORA - timedelta(hours=50), tipo="desanexacao", unidade="NTS")
    nova = _arquivar(store, 3, AGORA - timedelta(hours=1), cpf="111.444.777-35", unidade="SUVISA")

    def protocolos(**f):
        return [i.protocolo for i in store.fila(FiltroFila(agora=AGORA, **f)).itens]

    assert protocolos() == [nova.protocolo, media.protocolo, velha.protocolo]  # newest first
    assert protocolos(atrasadas=True) == [media.protocolo, velha.protocolo]  # 48 h and 72 h
    atendimento.mudar_situacao(store, velha.protocolo, "concluida", autor="ana")
    assert protocolos(atrasadas=True) == [media.protocolo]  # concluded: no longer late
    assert protocolos(tipo="desanexacao") == [media.protocolo]
    assert protocolos(status="concluida") == [velha.protocolo]
    assert protocolos(unidade="SUVISA") == [nova.protocolo]
    dia = (AGORA - timedelta(hours=1)).astimezone(AGORA.tzinfo).date()
    assert protocolos(desde=dia, ate=dia) == [nova.protocolo]
    assert protocolos(ate=date(2026, 6, 7)) == [velha.protocolo]
    assert protocolos(nome="jose acao") == [velha.protocolo]  # accents and case folded
    assert protocolos(nome="%") == []  # LIKE wildcards are literal
    assert protocolos(cpf="11144477735") == [nova.protocolo]
    assert protocolos(cpf="1114447773") == []  # exact CPF only
    assert protocolos(protocolo=media.protocolo) == [media.protocolo]
    pagina = store.fila(FiltroFila(), pagina=2, por_pagina=2)
    assert (pagina.total, pagina.paginas, [i.protocolo for i in pagina.itens]) == (
        3,
        2,
        [velha.protocolo],
    )


def test_history_assignment_and_notes_are_audited_in_order(store):
    s = _arquivar(store, 1, AGORA - timedelta(hours=2))
    atendimento.atribuir(store, s.protocolo, "ana", autor="ana")
    atendimento.atribuir(store, s.protocolo, "ana", autor="ana")  # unchanged: not recorded
    atendimento.anotar(store, s.protocolo, autor="ana", texto="CPF 529.982.247-25 conferido")
    atendimento.mudar_situacao(
        store, s.protocolo, "recusada", autor="ana", observacao="Dados divergentes", visivel=True
    )
    eventos = store.historico(s.protocolo.lower())
    assert [(e.acao, e.autor, e.antes, e.depois) for e in eventos] == [
        ("registrada", "assistente", None, "recebida"),
        ("atribuicao", "ana", None, "ana"),
        ("nota", "ana", None, None),
        ("situacao", "ana", "recebida", "recusada"),
    ]
    assert eventos[2].nota == "CPF [CPF omitido] conferido" and not eventos[2].visivel
    assert eventos[3].visivel and store.responsavel(s.protocolo) == "ana"
    assert store.buscar(s.protocolo).historico[-1]["nota"] == "Dados divergentes"
    with pytest.raises(LookupError):
        store.historico("NTS-2026-999999")
    with pytest.raises(ValueError, match="Situação desconhecida"):
        atendimento.mudar_situacao(store, s.protocolo, "arquivada", autor="ana")
    with pytest.raises(ValueError, match="observação que o solicitante"):
        atendimento.mudar_situacao(store, s.protocolo, "concluida", autor="ana", visivel=True)
    with pytest.raises(ValueError, match="limite"):
        atendimento.anotar(store, s.protocolo, autor="ana", texto="x" * 2001)


def test_throttling_records_on_both_databases(store):
    store.registrar_falha(["a" * 64, "b" * 64], AGORA)
    store.registrar_falha(["a" * 64], AGORA + timedelta(minutes=1))
    n, ultima = store.falhas_desde("a" * 64, AGORA - timedelta(minutes=15))
    assert n == 2 and ultima == AGORA + timedelta(minutes=1)
    store.limpar_falhas("a" * 64)
    assert store.falhas_desde("a" * 64, AGORA - timedelta(minutes=15))[0] == 0
    assert store.falhas_desde("b" * 64, AGORA - timedelta(minutes=15))[0] == 1

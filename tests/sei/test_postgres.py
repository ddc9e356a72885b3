"""Filing into SEI with the request store on PostgreSQL: two workers at once
take each request once (fresh database per test: conftest ``pg_url``)."""

# ruff: noqa: F811 - pytest fixtures imported from apoio_sei are arguments
from __future__ import annotations

import threading

from apoio_sei import cfg, confirmar, standin  # noqa: F401 (pytest fixtures)

from bot import settings
from bot.sei import arquivamento
from bot.sei.cliente import ClienteSei
from bot.sei.config import ConfigSei
from bot.solicitacoes.servicos import Servicos


def test_two_workers_on_postgresql_file_each_request_once(standin, tmp_path, pg_url):
    cfg = settings.load(
        {"SEI_VAR_DIR": str(tmp_path / "var"), "REQUESTS_DB_URL": pg_url} | standin.ambiente()
    )
    servicos = Servicos(cfg)
    arquivamento.instalar(servicos.store)
    protocolos = [confirmar(servicos, n).protocolo for n in range(12)]
    sei = ConfigSei.de_settings(cfg)
    assert sei is not None
    feitos: list[list[arquivamento.ResultadoSei]] = []

    def trabalhar() -> None:
        feitos.append(arquivamento.processar(servicos.store, ClienteSei(sei)))

    threads = [threading.Thread(target=trabalhar) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    arquivados = sorted(r.protocolo for lista in feitos for r in lista if r.estado == "arquivado")
    assert arquivados == sorted(protocolos)
    assert len(standin.processos()) == 12
    servicos.store.fechar()

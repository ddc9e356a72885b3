"""Following SEI processes with the request store on PostgreSQL (the production
profile): steps become status changes once, and the requester's notice is
queued in the same database (fresh database per test: conftest ``pg_url``)."""

# ruff: noqa: F811 - pytest fixtures imported from apoio_sei are arguments
from __future__ import annotations

from pathlib import Path

from apoio_sei import avisos_de_situacao, confirmar, standin  # noqa: F401 (pytest fixture)

from bot import settings
from bot.notificacoes import assinaturas, fila
from bot.notificacoes.segredo import Chaves
from bot.sei import acompanhamento, arquivamento
from bot.sei.cliente import ClienteSei
from bot.sei.config import ConfigSei
from bot.solicitacoes.servicos import Servicos

ROOT = Path(__file__).resolve().parents[2]


def test_poller_on_postgresql_changes_each_status_once(standin, tmp_path, pg_url):
    cfg = settings.load(
        {"SEI_VAR_DIR": str(tmp_path / "var"), "REQUESTS_DB_URL": pg_url} | standin.ambiente()
    )
    servicos = Servicos(cfg)
    arquivamento.instalar(servicos.store)
    fila.instalar(servicos.store, fila.Destinos())  # as the SEI worker does
    protocolos = [confirmar(servicos, n).protocolo for n in range(3)]
    assinaturas.assinar(
        servicos.store,
        Chaves.do_arquivo(tmp_path / "segredo"),
        protocolos[1],
        "email",
        "acompanha@example.com",
    )
    sei_cfg = ConfigSei.de_settings(cfg)
    assert sei_cfg is not None
    sei = ClienteSei(sei_cfg)
    feitos = {r.protocolo: r for r in arquivamento.processar(servicos.store, sei)}
    assert sorted(feitos) == sorted(protocolos)
    try:
        # "Processo gerado" matches no rule: nothing changes
        assert acompanhamento.acompanhar(servicos.store, sei, ROOT) == 0
        recebido, concluido, intocado = protocolos
        standin.andar(
            feitos[recebido].numero, "48", "Processo recebido na unidade SESAU-NTS", "SESAU-NTS"
        )
        standin.andar(
            feitos[concluido].numero, "48", "Processo recebido na unidade SESAU-NTS", "SESAU-NTS"
        )
        standin.andar(
            feitos[concluido].numero,
            "32",
            "Processo remetido pela unidade SESAU-NTS",
            "SESAU-GETIN",
        )
        # each new matching step is one change, in SEI's order
        assert acompanhamento.acompanhar(servicos.store, sei, ROOT) == 3
        assert servicos.store.buscar(recebido).status == "em_andamento"
        assert servicos.store.buscar(concluido).status == "concluida"
        assert servicos.store.buscar(intocado).status == "recebida"
        # steps already seen are not read again into a second change
        assert acompanhamento.acompanhar(servicos.store, sei, ROOT) == 0
        historico = servicos.store.historico(concluido)
        assert [e for e in historico if getattr(e, "autor", None) == acompanhamento.AUTOR]
        avisos = avisos_de_situacao(servicos.store)
        assert len(avisos) == 2  # the subscribed request's two changes, once each
        assert any("devolveu o processo ao setor solicitante" in d for d in avisos)
    finally:
        servicos.store.fechar()

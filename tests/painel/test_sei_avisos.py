"""The request page's SEI and notices parts (issues 13 and 14): what failed, and "reenviar"."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from apoio import SENHA, configuracao, entrar, registrar, token

from bot.notificacoes.tabelas import notifications
from bot.painel import usuarios
from bot.painel.app import criar_app
from bot.sei import arquivamento
from bot.sei.arquivamento import sei_processos
from bot.solicitacoes import atendimento

# the SEI web service configured (never called here: the page reads the store)
SEI = {
    "SEI_WS_URL": "http://127.0.0.1:9/sei.wsdl",
    "SEI_WS_SIGLA_SISTEMA": "ASSISTENTE",
    "SEI_WS_CHAVE": "chave-de-teste",
    "SEI_WS_ID_UNIDADE_NTS": "110000001",
    "SEI_WS_ID_TIPO_PROCEDIMENTO": "100000001",
    "SEI_WS_ID_SERIE": "1",
    "SEI_WS_ID_HIPOTESE_LEGAL": "1",
}


@pytest.fixture()
def app(tmp_path):
    aplicacao = criar_app(
        configuracao(
            tmp_path,
            SEI_EMAIL_NTS="nts@example.com",
            SEI_SMTP_URL="smtp://127.0.0.1:9",  # never reached: the worker is not running
            SEI_EMAIL_REMETENTE="assistente@example.com",
            **SEI,
        )
    )
    store = aplicacao.extensions["sei_servicos"].store
    usuarios.criar(store, "beto", "Beto Analista", "analista", SENHA, autor="teste")
    yield aplicacao
    store.fechar()


def test_a_failed_sei_filing_shows_and_is_sent_again_audited(app):
    store = app.extensions["sei_servicos"].store
    s = registrar(store, 1)
    arquivamento.enfileirar(store, s.protocolo)
    with store.na_transacao() as conn:
        conn.execute(
            sei_processos.update()
            .where(sei_processos.c.protocolo == s.protocolo)
            .values(estado=arquivamento.FALHOU, tentativas=12, erro="Chave de acesso inválida.")
        )
    cliente = app.test_client()
    entrar(cliente, "beto")
    pagina = cliente.get(f"/solicitacoes/{s.protocolo}").text
    assert (
        "falhou depois de todas as tentativas" in pagina and "Chave de acesso inválida." in pagina
    )
    assert "Reenviar ao SEI" in pagina
    r = cliente.post(
        f"/solicitacoes/{s.protocolo}/sei/reenviar", data={"csrf_token": token(pagina)}
    )
    assert r.status_code == 302
    assert arquivamento.situacao(store, s.protocolo).estado == arquivamento.AGUARDANDO
    assert any(e.acao == "sei_reenviado" and e.autor == "beto" for e in store.auditoria())
    pagina = cliente.get(f"/solicitacoes/{s.protocolo}").text
    assert "aguardando o SEI" in pagina and "Reenviar ao SEI" not in pagina


def test_a_notice_given_up_on_shows_and_is_queued_again(app):
    store = app.extensions["sei_servicos"].store
    s = registrar(store, 2)  # the panel's store is hooked: the NTS e-mail is queued
    atendimento.mudar_situacao(store, s.protocolo, "em_andamento", autor="beto")
    with store.na_transacao() as conn:
        ids = [r.id for r in conn.execute(sa.select(notifications.c.id)).all()]
        assert ids, "nothing was queued by the status change or the new request"
        conn.execute(
            notifications.update()
            .where(notifications.c.id == ids[0])
            .values(estado="falhou", tentativas=12, erro="550 caixa inexistente")
        )
    cliente = app.test_client()
    entrar(cliente, "beto")
    pagina = cliente.get(f"/solicitacoes/{s.protocolo}").text
    assert "Avisos que não foram entregues" in pagina and "550 caixa inexistente" in pagina
    url = f"/solicitacoes/{s.protocolo}/avisos/{ids[0]}/reenviar"
    assert cliente.post(url, data={"csrf_token": token(pagina)}).status_code == 302
    with store.na_transacao() as conn:
        estado = conn.execute(
            sa.select(notifications.c.estado).where(notifications.c.id == ids[0])
        ).scalar()
    assert estado != "falhou"
    assert "Avisos que não foram entregues" not in cliente.get(f"/solicitacoes/{s.protocolo}").text
    outra = registrar(store, 3)  # a notice id of another request is refused
    url = f"/solicitacoes/{outra.protocolo}/avisos/{ids[0]}/reenviar"
    pagina = cliente.get(f"/solicitacoes/{outra.protocolo}").text
    cliente.post(url, data={"csrf_token": token(pagina)})
    assert any(e.acao == "aviso_reenviado" for e in store.auditoria())

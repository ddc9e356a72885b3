"""The daily cap of filings per conversation (issue 17), through the engine."""

from __future__ import annotations

import io

import pytest
from conftest import ROOT
from geradores import gerar_cpf

from bot import settings
from bot.ops import cli
from bot.solicitacoes.motor import Motor
from bot.solicitacoes.servicos import Servicos


@pytest.fixture()
def servicos_com_cota(tmp_path, monkeypatch):
    var = tmp_path / "var"
    monkeypatch.setenv("SEI_PROJECT_ROOT", str(ROOT))
    monkeypatch.setenv("SEI_VAR_DIR", str(var))
    monkeypatch.setenv("SEI_LIMITE_REGISTROS_DIA", "2")
    s = Servicos(settings.load())
    yield s
    s.store.fechar()


def _ate_o_resumo(motor, rng):
    estado = motor.iniciar("correcao_cargo", avisar_lgpd=False).estado
    for texto in ("GETIN", "Ana Lima", gerar_cpf(rng), "Enfermeiro"):
        estado = motor.responder(estado, texto, contato="conversa-a").estado
    assert estado.fase == "resumo"
    return estado


def test_third_filing_of_the_day_waits_for_the_nts_and_keeps_the_data(servicos_com_cota, rng):
    s = servicos_com_cota
    motor = Motor(s)
    for _ in range(2):
        fim = motor.responder(_ate_o_resumo(motor, rng), "confirmar", contato="conversa-a")
        assert fim.estado.fase == "concluida"
    terceira = _ate_o_resumo(motor, rng)
    recusada = motor.responder(terceira, "confirmar", contato="conversa-a")
    assert recusada.estado.fase == "resumo" and "limite diário" in recusada.mensagens[0]["text"]
    assert "3315-1101" in recusada.mensagens[0]["text"] and len(s.store.listar()) == 2
    # another conversation is not affected
    outra = motor.iniciar("correcao_cargo", avisar_lgpd=False).estado
    for texto in ("GETIN", "Rui Dias", gerar_cpf(rng), "Gerente", "confirmar"):
        outra = motor.responder(outra, texto, contato="conversa-b").estado
    assert outra.fase == "concluida"
    # the NTS lifts it (sei-nts), audited; the kept summary then files
    protocolo = s.store.listar()[0].protocolo
    saida = io.StringIO()
    codigo = cli.main(["requests", "liberar-limite", protocolo, "--by", "ana.nts"], out=saida)
    assert codigo == 0 and "liberado" in saida.getvalue()
    assert any(e.acao == "limite_liberado" for e in s.store.auditoria())
    assert not any("conversa-a" in (e.alvo or "") for e in s.store.auditoria())  # hashed
    fim = motor.responder(recusada.estado, "confirmar", contato="conversa-a")
    assert fim.estado.fase == "concluida" and len(s.store.listar()) == 4


def test_a_retried_confirmation_of_a_filed_form_still_answers(servicos_com_cota, rng):
    s = servicos_com_cota
    motor = Motor(s)
    motor.responder(_ate_o_resumo(motor, rng), "confirmar", contato="conversa-a")
    estado = _ate_o_resumo(motor, rng)
    copia = type(estado).de_dict(estado.para_dict())
    primeira = motor.responder(estado, "confirmar", contato="conversa-a")
    assert primeira.estado.fase == "concluida"
    # the reply was lost; the same form is confirmed again: its protocol, not "limite"
    de_novo = motor.responder(copia, "confirmar", contato="conversa-a")
    assert de_novo.estado.protocolo == primeira.estado.protocolo and len(s.store.listar()) == 2


def test_a_planilha_over_the_cap_files_up_to_it_and_says_so(servicos_com_cota, rng):
    from bot.solicitacoes import planilha_chat

    s = servicos_com_cota
    motor = Motor(s)
    fim = motor.responder(_ate_o_resumo(motor, rng), "confirmar", contato="conversa-a")
    assert fim.estado.fase == "concluida"
    linhas = [{"nome": "Rui Dias", "cpf": gerar_cpf(rng), "cargo": "Gerente"}]
    pendente = {"id": "p1", "grupos": {"correcao_cargo": linhas, "cadastro_usuario": []}}
    resultado = planilha_chat.decidir(s, pendente, "registrar", "web", "conversa-a")
    textos = [m["text"] for m in resultado.mensagens]
    assert len(s.store.listar()) == 2  # the first group filed; the second hit the cap
    assert "limite diário" in textos[-1] and resultado.pendente is None

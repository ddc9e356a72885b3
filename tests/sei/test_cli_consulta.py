"""sei-nts sei check / catalog sync / sei status, and the chat's process lookup,
against the PHP stand-in."""

# ruff: noqa: F811 - pytest fixtures imported from apoio_sei are arguments
from __future__ import annotations

import io
import logging

import pytest
from apoio_sei import cfg, standin  # noqa: F401 (pytest fixtures)
from sei_standin import CHAVE

from bot.ops import cli
from bot.sei import consulta
from bot.sei.cliente import ClienteSei
from bot.sei.config import ConfigSei


@pytest.fixture()
def ambiente(standin, tmp_path, monkeypatch):
    monkeypatch.setenv("SEI_VAR_DIR", str(tmp_path / "var"))
    for nome, valor in standin.ambiente().items():
        monkeypatch.setenv(nome, valor)
    return monkeypatch


def _rodar(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return cli.main(list(argv), out=out), out.getvalue()


def test_check_ok_and_each_problem_in_portuguese(ambiente, standin, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    codigo, saida = _rodar("sei", "check")
    assert codigo == 0 and "conexão e chave de acesso OK" in saida and "SESAU-NTS" in saida
    ambiente.setenv("SEI_WS_ID_UNIDADE_NTS", "123")
    codigo, saida = _rodar("sei", "check")
    assert codigo == 1 and "a unidade 123 não está na lista do SEI" in saida
    ambiente.delenv("SEI_WS_ID_HIPOTESE_LEGAL")
    codigo, saida = _rodar("sei", "check")
    assert "falta definir: SEI_WS_ID_HIPOTESE_LEGAL" in saida
    errada = "e" * 72
    ambiente.setenv("SEI_WS_CHAVE", errada)
    codigo, saida = _rodar("sei", "check")
    assert codigo == 1 and "recusou a chave de acesso" in saida
    ambiente.setenv("SEI_WS_CHAVE", CHAVE)
    standin.configurar(operacoes=["gerarProcedimento"])
    codigo, saida = _rodar("sei", "check")
    assert codigo == 1 and "listarUnidades não está liberada" in saida
    todo = saida + capsys.readouterr().err + caplog.text
    assert errada not in todo and CHAVE not in todo


def test_check_without_configuration(tmp_path, monkeypatch):
    monkeypatch.setenv("SEI_VAR_DIR", str(tmp_path))
    for nome in ("SEI_WS_URL", "SEI_WS_CHAVE", "SEI_WS_SIGLA_SISTEMA"):
        monkeypatch.delenv(nome, raising=False)
    assert _rodar("sei", "check")[0] == 1


def test_catalog_sync_writes_both_files_and_keeps_them_on_failure(
    ambiente, standin, tmp_path, capsys
):
    pasta = tmp_path / "catalogos"
    pasta.mkdir()
    (pasta / "unidades.csv").write_text(
        "sigla,nome,sigla_superior\nSESAU-GETIN,Antiga,\nSESAU-NTS,Antigo,SESAU-GETIN\n"
        "VELHA,Unidade extinta,\n",
        "utf-8",
    )
    (pasta / "cargos.csv").write_text("cargo\nAnalista de Sistemas\nCargo Antigo\n", "utf-8")
    codigo, saida = _rodar("catalog", "sync", "--pasta", str(pasta))
    assert codigo == 0, capsys.readouterr().err
    assert "Unidades adicionadas (1): SEPLAG-SUMOGE" in saida
    assert "Unidades removidas (1): VELHA" in saida
    assert "Cargos removidos (1): Cargo Antigo" in saida
    unidades = (pasta / "unidades.csv").read_text("utf-8")
    assert "SESAU-NTS,Núcleo de Tecnologia em Saúde,SESAU-GETIN" in unidades  # superior kept
    antes = {p.name: p.read_bytes() for p in pasta.iterdir()}
    for falha in ({"unidades": []}, {"cargos": [{"IdCargo": "1", "ExpressaoCargo": ""}]}):
        standin.configurar(**falha)
        codigo, _ = _rodar("catalog", "sync", "--pasta", str(pasta))
        assert codigo == 1 and "Catálogos mantidos" in capsys.readouterr().err
        assert {p.name: p.read_bytes() for p in pasta.iterdir()} == antes  # no temp left
    standin.parar()
    assert _rodar("catalog", "sync", "--pasta", str(pasta))[0] == 1
    assert {p.name: p.read_bytes() for p in pasta.iterdir()} == antes


def _cliente(standin, tmp_path):
    from bot import settings

    cfg = settings.load({"SEI_VAR_DIR": str(tmp_path)} | standin.ambiente())
    sei = ConfigSei.de_settings(cfg)
    assert sei is not None
    return ClienteSei(sei)


def test_consultar_processo_says_type_last_step_units_and_link(standin, tmp_path):
    from bot.sei.cliente import PedidoProcesso

    cliente = _cliente(standin, tmp_path)
    gerado = cliente.gerar_procedimento(
        PedidoProcesso("Cadastro - NTS-2026-000001", "GETIN", "GETIN", "x")
    )
    standin.andar(gerado.numero, "32", "Processo remetido pela unidade SESAU-NTS", "SESAU-GETIN")
    numero_digitado = gerado.numero.replace("E:", "").replace(".", ". ")
    resposta = consulta.consultar_processo(cliente, numero_digitado, "https://sei.example/pesquisa")
    assert resposta is not None
    assert f"Processo {gerado.numero} (Gestão de Acesso a Sistemas)." in resposta
    assert "SESAU-GETIN: Processo remetido pela unidade SESAU-NTS." in resposta
    assert "Aberto em: SESAU-GETIN." in resposta and gerado.link in resposta
    assert "GETIN, GETIN" not in resposta and "Cadastro" not in resposta  # nothing else
    standin.configurar(sem_acesso=[gerado.numero])
    negado = consulta.consultar_processo(cliente, gerado.numero, "https://sei.example/pesquisa")
    assert negado is not None and "pesquisa pública (https://sei.example/pesquisa)" in negado
    desconhecido = consulta.consultar_processo(cliente, "E:02000.0000009999/2020", None)
    assert desconhecido is not None and desconhecido.startswith("Não consegui consultar")
    assert consulta.consultar_processo(None, gerado.numero) is None


def test_notice_text():
    assert consulta.aviso_processo("E:02000.0000000001/2026", "http://x") == (
        "Seu processo no SEI: E:02000.0000000001/2026. http://x"
    )

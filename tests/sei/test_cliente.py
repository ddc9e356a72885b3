"""bot.sei.cliente against PHP's own SoapServer (tests/sei_standin)."""

# ruff: noqa: F811 - pytest fixtures imported from apoio_sei are arguments
from __future__ import annotations

import base64
import hashlib
import logging

import pytest
from apoio_sei import cfg, standin  # noqa: F401 (pytest fixtures)
from sei_standin import CHAVE

from bot.sei.cliente import (
    ClienteSei,
    DocumentoRecebido,
    FalhaSei,
    PedidoProcesso,
    RespostaInvalida,
    SeiIndisponivel,
)
from bot.sei.config import ConfigSei


def _b64(dados: bytes) -> str:
    return base64.b64encode(dados).decode()


def _cliente(cfg, **mudar):
    c = ConfigSei.de_settings(cfg)
    assert c is not None
    return ClienteSei(c if not mudar else ConfigSei(**{**c.__dict__, **mudar}))


def test_not_configured_without_url_or_key(tmp_path):
    from bot import settings

    cfg = settings.load({"SEI_VAR_DIR": str(tmp_path)})
    assert ConfigSei.de_settings(cfg) is None
    com_chave = settings.load({"SEI_VAR_DIR": str(tmp_path), "SEI_WS_CHAVE": CHAVE})
    assert CHAVE not in repr(com_chave) and ConfigSei.de_settings(com_chave) is None
    assert CHAVE not in repr(ConfigSei("http://x", "S", CHAVE))


def test_lists_units_and_cargos_offline_wsdl(cfg):
    cliente = _cliente(cfg)
    unidades = cliente.listar_unidades()
    assert [u.sigla for u in unidades][:2] == ["SESAU-NTS", "SESAU-GETIN"]
    assert unidades[0].descricao == "Núcleo de Tecnologia em Saúde"
    assert [c.expressao for c in cliente.listar_cargos()] == [
        "Analista de Sistemas",
        "Assessor Técnico",
    ]


def test_bad_key_fault_is_portuguese_and_never_shows_the_key(cfg, caplog):
    caplog.set_level(logging.DEBUG)
    errada = "z" * 72
    with pytest.raises(FalhaSei) as erro:
        _cliente(cfg, chave=errada).listar_unidades()
    assert erro.value.tipo == "chave"
    assert "chave de acesso" in str(erro.value) and "SEI_WS_CHAVE" in str(erro.value)
    assert errada not in str(erro.value) and errada not in erro.value.detalhe
    assert errada not in caplog.text and CHAVE not in caplog.text
    # the good key is not logged either, zeep's DEBUG envelopes included
    _cliente(cfg).listar_unidades()
    assert CHAVE not in caplog.text


def test_operation_not_enabled_and_unknown_unit(cfg, standin):
    standin.configurar(operacoes=["listarUnidades"])
    with pytest.raises(FalhaSei) as erro:
        _cliente(cfg).listar_cargos()
    assert erro.value.tipo == "operacao" and "listarCargos" in str(erro.value)
    standin.configurar(operacoes=["consultarProcedimento"])
    with pytest.raises(FalhaSei) as erro:
        _cliente(cfg, id_unidade_nts="999").consultar_procedimento("E:02000.0000000001/2026")
    assert erro.value.tipo == "unidade" and "999" in str(erro.value)


def test_gerar_procedimento_sends_both_documents_decoded_by_php(cfg, standin):
    planilha = bytes(range(256)) * 40
    captura = b"\x89PNG\r\n\x1a\n" + b"x" * 500
    pedido = PedidoProcesso(
        especificacao="Relato de erro - protocolo NTS-2026-000123",
        interessado_sigla="SESAU-GETIN",
        interessado_nome="Gerência de Tecnologia",
        observacao="chave-idempotencia",
        documentos=(
            DocumentoRecebido(
                "NTS-2026-000123.xlsx", "Planilha", base64.b64encode(planilha).decode()
            ),
            DocumentoRecebido(
                "NTS-2026-000123-captura.png", "Captura", base64.b64encode(captura).decode()
            ),
        ),
    )
    gerado = _cliente(cfg).gerar_procedimento(pedido)
    assert gerado.numero.startswith("E:02000.") and gerado.link.startswith("http://127.0.0.1")
    processo = standin.processos()[gerado.numero]
    assert processo["Especificacao"] == pedido.especificacao
    assert processo["NivelAcesso"] == "1" and processo["IdHipoteseLegal"] == "34"
    assert processo["Interessados"] == [{"Sigla": "SESAU-GETIN", "Nome": "Gerência de Tecnologia"}]
    assert [(d["NomeArquivo"], d["Tamanho"], d["Sha256"]) for d in processo["Documentos"]] == [
        ("NTS-2026-000123.xlsx", len(planilha), hashlib.sha256(planilha).hexdigest()),
        ("NTS-2026-000123-captura.png", len(captura), hashlib.sha256(captura).hexdigest()),
    ]
    consulta = _cliente(cfg).consultar_procedimento(gerado.numero)
    assert consulta.tipo == "Gestão de Acesso a Sistemas"
    assert consulta.ultimo_andamento is not None and consulta.unidades_abertas == ("SESAU-NTS",)
    assert [a.descricao for a in _cliente(cfg).listar_andamentos(gerado.numero)] == [
        "Processo gerado"
    ]


def test_unknown_process_fault(cfg):
    with pytest.raises(FalhaSei) as erro:
        _cliente(cfg).consultar_procedimento("E:02000.0000009999/2020")
    assert erro.value.tipo == "processo"


def test_hostile_xml_answer_is_refused(cfg, standin):
    cliente = _cliente(cfg)
    cliente.listar_unidades()  # WSDL loaded while the server behaves
    standin.configurar(modo="hostil")
    with pytest.raises(RespostaInvalida) as erro:
        cliente.listar_unidades()
    assert "recusada" in str(erro.value)
    assert "root:" not in str(erro.value)


def test_unreachable_server_is_not_delivered(cfg, standin):
    standin.parar()
    with pytest.raises(SeiIndisponivel) as erro:
        _cliente(cfg).listar_unidades()
    assert "não foi enviada" in str(erro.value) and CHAVE not in str(erro.value)


def test_one_client_per_process_with_a_capped_timeout(cfg, tmp_path):
    from bot import settings
    from bot.sei.cliente import cliente_configurado

    a = cliente_configurado(cfg, timeout_s=3)
    assert a is not None and a is cliente_configurado(cfg, timeout_s=3)
    assert a.cfg.timeout_s == 3 and a.listar_unidades()
    assert cliente_configurado(settings.load({"SEI_VAR_DIR": str(tmp_path)})) is None

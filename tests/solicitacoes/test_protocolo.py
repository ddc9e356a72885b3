"""The protocol number: a malformed one is never read as the nearest protocol (issue 18, item 6)."""

from __future__ import annotations

import pytest

from bot.solicitacoes.protocolo import (
    encontrar_protocolo,
    extrair_protocolo,
    normalizar_protocolo,
    protocolo_consultado,
)


@pytest.mark.parametrize(
    "texto",
    [
        "status do NTS-2026-000123",
        "status do nts 2026 000123 por favor",
        "qual o andamento do NTS2026000123?",
        "nts-2026 - 000123",
    ],
)
def test_well_formed_mentions_are_read(texto: str) -> None:
    assert extrair_protocolo(texto) == "NTS-2026-000123"
    assert protocolo_consultado(texto) == "NTS-2026-000123"


@pytest.mark.parametrize(
    ("texto", "mencao"),
    [
        ("status do NTS-2026-00002", "NTS-2026-00002"),
        ("status do NTS-2026-0000002", "NTS-2026-0000002"),
        ("nts 2026 12", "nts 2026 12"),
        ("NTS-26-000002", "NTS-26-000002"),
    ],
)
def test_malformed_mentions_are_found_but_never_mapped(texto: str, mencao: str) -> None:
    assert extrair_protocolo(texto) is None
    assert encontrar_protocolo(texto) is not None
    consultado = protocolo_consultado(texto)
    assert consultado == mencao
    # the store normalizes what it is asked: the mention matches no protocol
    assert normalizar_protocolo(consultado) is None


def test_whole_value_needs_exactly_six_digits() -> None:
    assert normalizar_protocolo(" nts 2026 000042 ") == "NTS-2026-000042"
    assert normalizar_protocolo("NTS–2026–000042") == "NTS-2026-000042"
    for valor in ("NTS-2026-00042", "NTS-2026-0000042", "nts 2026 42", "NTS-2026-1"):
        assert normalizar_protocolo(valor) is None, valor


def test_no_mention_is_none() -> None:
    assert protocolo_consultado("qual o status do meu pedido") is None
    assert encontrar_protocolo("o que é o nts") is None


def test_engine_answers_confira_for_a_digit_missing_mid_form(servicos, rng) -> None:
    from tests.geradores import gerar_cpf
    from tests.solicitacoes.test_conversa import Conversa

    existente, _ = servicos.store.registrar(
        "correcao_cargo",
        [{"nome": "Ana Lima", "cpf": gerar_cpf(rng, mascarado=True), "cargo": "Enfermeiro"}],
        canal="rest",
        contato="conversa-9",
        unidade="GETIN",
        chave_envio="k1",
    )
    assert existente.protocolo.endswith("-000001")
    malformado = existente.protocolo[:-6] + "00001"
    c = Conversa(servicos, "cadastro_usuario")
    c.diz("GETIN")
    c.diz(f"qual o status do {malformado}?", intent="consultar_status", confianca=0.9)
    assert f"Não encontrei o protocolo {malformado}" in c.texto
    assert "Confira o número" in c.texto and "NTS-2026-000123" in c.texto
    assert existente.protocolo not in c.texto and "Recebida" not in c.texto
    assert "nome completo" in c.texto

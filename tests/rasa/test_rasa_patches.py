"""bot.rasa.patches: same results as Rasa's own code, only faster."""

import pytest
from jsonschema import ValidationError

from bot.rasa import patches


@pytest.fixture(scope="module")
def originais():
    from rasa.core.actions.action import RemoteAction

    antes = (RemoteAction._validate_action_result,)
    patches.install()
    patches.install()  # idempotent
    yield antes
    RemoteAction._validate_action_result = antes[0]


VALIDAS = [
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "name": "rascunho", "value": {"fase": "campo"}}],
        "responses": [{"text": "Olá", "buttons": [{"title": "Sim", "payload": "/affirm"}]}],
    },
    {
        "events": [
            {"event": "active_loop", "name": None},
            {"event": "followup", "name": "formulario_solicitacao"},
        ]
    },
]
INVALIDAS = [
    {"events": [{"event": "slot"}]},  # slot without name
    {"events": [{"event": "nao_existe"}]},  # unknown event
    {"events": "não é lista"},
]


@pytest.mark.parametrize("resposta", VALIDAS)
def test_resposta_valida_aceita_como_no_rasa(originais, resposta):
    from rasa.core.actions.action import RemoteAction

    acao = RemoteAction("acao", None)
    assert originais[0](acao, resposta) is True
    assert acao._validate_action_result(resposta) is True


@pytest.mark.parametrize("resposta", INVALIDAS)
def test_resposta_invalida_recusada_com_a_mesma_mensagem(originais, resposta):
    from rasa.core.actions.action import RemoteAction

    acao = RemoteAction("acao", None)
    with pytest.raises(ValidationError) as do_rasa:
        originais[0](acao, resposta)
    with pytest.raises(ValidationError) as nosso:
        acao._validate_action_result(resposta)
    assert "Failed to validate Action server response" in nosso.value.message
    assert nosso.value.message.split(". Failed")[0] == do_rasa.value.message.split(". Failed")[0]

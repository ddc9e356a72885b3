"""The request-form actions, run on rasa-sdk Trackers built in code."""

import asyncio
import io

import pytest
from geradores import gerar_cpf
from PIL import Image
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import servicos as servicos_module
from actions import solicitacao as acoes


@pytest.fixture(autouse=True)
def _servicos(servicos, monkeypatch):
    monkeypatch.setattr(servicos_module, "servicos", lambda: servicos)
    monkeypatch.setattr(acoes, "servicos", lambda: servicos)
    return servicos


def _tracker(
    text,
    *,
    intent="abrir_solicitacao",
    slots=None,
    entities=(),
    message_id="m1",
    metadata=None,
    events=(),
    sender="conversa-1",
):
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.95},
        "entities": list(entities),
        "message_id": message_id,
        "metadata": metadata or {},
    }
    return Tracker(
        sender,
        dict(slots or {}),
        latest,
        list(events),
        False,
        None,
        {"name": "formulario_solicitacao"},
        "action_listen",
    )


def _run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages, events


def _validate(tracker, value):
    dispatcher = CollectingDispatcher()
    result = asyncio.run(
        acoes.ValidarFormularioSolicitacao().validate_resposta(value, dispatcher, tracker, {})
    )
    return dispatcher.messages, result


def _slot(events, name):
    return [e["value"] for e in events if e.get("event") == "slot" and e["name"] == name][-1]


def test_start_from_button_payload_entity_starts_the_form():
    entity = [{"entity": "tipo_solicitacao", "value": "correcao_cargo"}]
    messages, events = _run(
        acoes.IniciarSolicitacao(), _tracker("/abrir_solicitacao", entities=entity)
    )
    estado = _slot(events, "rascunho")
    assert estado["tipo"] == "correcao_cargo" and estado["mensagem_inicial"] == "m1"
    assert any("LGPD" in m["text"] for m in messages)
    assert ("followup", "formulario_solicitacao") in [(e["event"], e.get("name")) for e in events]
    assert _slot(events, "lgpd_avisado") is True


def test_forged_kind_in_payload_is_ignored_and_the_kind_is_asked():
    entity = [{"entity": "tipo_solicitacao", "value": "apagar_tudo"}]
    _, events = _run(acoes.IniciarSolicitacao(), _tracker("/abrir", entities=entity))
    assert _slot(events, "rascunho")["fase"] == "tipo"


def test_lgpd_notice_not_repeated_in_the_same_conversation():
    messages, _ = _run(
        acoes.IniciarSolicitacao(),
        _tracker("quero abrir pedido de correção de cargo", slots={"lgpd_avisado": True}),
    )
    assert not any("LGPD" in m["text"] for m in messages)


def _start(kind="correcao_cargo", sender="conversa-1"):
    entity = [{"entity": "tipo_solicitacao", "value": kind}]
    _, events = _run(acoes.IniciarSolicitacao(), _tracker("/abrir", entities=entity, sender=sender))
    return _slot(events, "rascunho")


def test_message_that_opened_the_form_is_not_an_answer():
    rascunho = _start()
    messages, result = _validate(_tracker("/abrir", slots={"rascunho": rascunho}), "/abrir")
    assert messages == [] and result == {"resposta": None}


def test_each_turn_goes_to_the_engine_and_the_form_ends_when_filed(servicos):
    rascunho = _start()
    for i, text in enumerate(
        ["GETIN", "Ana Lima", gerar_cpf(__import__("random").Random(1)), "Enfermeiro", "confirmar"]
    ):
        messages, result = _validate(
            _tracker(text, intent="nlu_fallback", slots={"rascunho": rascunho}, message_id=f"u{i}"),
            text,
        )
        rascunho = result["rascunho"]
    assert result["resposta"] == "concluida"
    protocolo = rascunho["protocolo"]
    assert any(protocolo in (m.get("text") or "") for m in messages)
    assert servicos.store.buscar(protocolo).contato == "conversa-1"


def test_ask_action_shows_the_current_question():
    rascunho = _start()
    messages, _ = _run(acoes.PerguntarResposta(), _tracker("x", slots={"rascunho": rascunho}))
    assert "sigla da sua unidade" in messages[0]["text"]


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def test_attachment_reference_only_from_its_own_conversation(servicos):
    rascunho = _start("relato_erro")
    _, result = _validate(
        _tracker(
            "O SEI trava ao assinar documentos.",
            intent="nlu_fallback",
            slots={"rascunho": rascunho},
            message_id="a1",
        ),
        "x",
    )
    rascunho = result["rascunho"]
    alheio = servicos.anexos.salvar(_png(), "outra-conversa")
    messages, result = _validate(
        _tracker(
            "(imagem)", slots={"rascunho": rascunho}, metadata={"anexo": alheio}, message_id="a2"
        ),
        "x",
    )
    assert "captura" not in result["rascunho"]["linha"]
    assert "Não recebi nenhuma imagem" in messages[0]["text"]
    proprio = servicos.anexos.salvar(_png(), "conversa-1")
    _, result = _validate(
        _tracker(
            "(imagem)",
            slots={"rascunho": result["rascunho"]},
            metadata={"anexo": proprio},
            message_id="a3",
        ),
        "x",
    )
    assert result["rascunho"]["linha"]["captura"] == proprio


def test_end_action_clears_the_form_slots():
    _, events = _run(acoes.EncerrarSolicitacao(), _tracker("x", slots={"rascunho": _start()}))
    assert [(e["name"], e["value"]) for e in events] == [("resposta", None), ("rascunho", None)]


def test_lost_state_ends_the_form_politely():
    messages, result = _validate(_tracker("GETIN", slots={"rascunho": None}), "GETIN")
    assert messages[0]["response"] == "utter_solicitacao_perdida"
    assert result["resposta"] == "perdida"


def test_status_without_protocol_asks_for_it_and_unknown_protocol_is_said():
    messages, _ = _run(
        acoes.ConsultarStatus(), _tracker("status do meu pedido", intent="consultar_status")
    )
    assert messages[0]["response"] == "utter_pedir_protocolo"
    messages, _ = _run(
        acoes.ConsultarStatus(), _tracker("nts 2026 000012", intent="consultar_status")
    )
    assert "Não encontrei o protocolo NTS-2026-000012" in messages[0]["text"]


def test_status_never_shows_personal_data(servicos, rng):
    cpf = gerar_cpf(rng, mascarado=True)
    solicitacao, _ = servicos.store.registrar(
        "correcao_cargo",
        [{"nome": "Ana Lima", "cpf": cpf, "cargo": "Enfermeiro"}],
        canal="rest",
        contato="conversa-9",
        unidade="GETIN",
        chave_envio="k1",
    )
    messages, _ = _run(
        acoes.ConsultarStatus(),
        _tracker(f"status {solicitacao.protocolo}", intent="consultar_status"),
    )
    text = messages[0]["text"]
    assert solicitacao.protocolo in text and "Recebida" in text
    assert "Ana" not in text and cpf not in text and "conversa-9" not in text


def test_status_of_a_malformed_protocol_is_never_the_nearest_one(servicos, rng):
    solicitacao, _ = servicos.store.registrar(
        "correcao_cargo",
        [{"nome": "Ana Lima", "cpf": gerar_cpf(rng, mascarado=True), "cargo": "Enfermeiro"}],
        canal="rest",
        contato="conversa-9",
        unidade="GETIN",
        chave_envio="k1",
    )
    for malformado in (solicitacao.protocolo[:-6] + "00001", solicitacao.protocolo + "1"):
        messages, _ = _run(
            acoes.ConsultarStatus(), _tracker(f"status {malformado}", intent="consultar_status")
        )
        text = messages[0]["text"]
        assert f"Não encontrei o protocolo {malformado}" in text, text
        assert "Confira o número" in text and "Recebida" not in text


def test_yes_right_after_a_request_topic_answer_starts_it():
    events = [
        {"event": "action", "name": "action_responder_faq"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "sim", "parse_data": {}},
    ]
    _, out = _run(
        acoes.Afirmar(),
        _tracker("sim", intent="affirm", events=events, slots={"oferta_solicitacao": "lotacao"}),
    )
    assert [(e["event"], e["name"]) for e in out] == [("followup", "action_iniciar_solicitacao")]
    later = [{"event": "action", "name": "utter_de_nada"}, *events[1:]]
    messages, out = _run(
        acoes.Afirmar(),
        _tracker("sim", intent="affirm", events=later, slots={"oferta_solicitacao": "lotacao"}),
    )
    assert out == [] and messages[0]["response"] == "utter_afirmar_sem_contexto"

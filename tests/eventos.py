"""Rasa events of one conversation as Rasa appends them, for the tracker store tests."""

import itertools

_ids = itertools.count()


def session_start():
    """The events of a new session (Rasa's ``action_session_start``)."""
    from rasa.shared.core.events import ActionExecuted, SessionStarted

    listen = ActionExecuted("action_listen")
    return [ActionExecuted("action_session_start"), SessionStarted(), listen]


def turn(text="esqueci minha senha", intent="recuperar_senha"):
    """The events of one user turn, as Rasa appends them (user, prediction, bot, slot, listen)."""
    from rasa.shared.core.events import (
        ActionExecuted,
        BotUttered,
        DefinePrevUserUtteredFeaturization,
        SlotSet,
        UserUttered,
    )

    n = next(_ids)
    ranking = [{"name": intent, "confidence": 0.91}, {"name": "affirm", "confidence": 0.04}]
    parse = {"intent": ranking[0], "entities": [], "text": text, "intent_ranking": ranking}
    return [
        UserUttered(text, ranking[0], [], parse, message_id=f"m{n}"),
        DefinePrevUserUtteredFeaturization(False),
        ActionExecuted("action_responder_faq", policy="RulePolicy", confidence=1.0),
        BotUttered(f"resposta {n}", {"buttons": [{"title": "Sim", "payload": "/affirm"}]}),
        SlotSet("rascunho", {"fase": "campo", "n": n}),
        ActionExecuted("action_listen"),
    ]

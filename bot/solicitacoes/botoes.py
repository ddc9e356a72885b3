"""Buttons that belong to the question they were offered with.

A form button's payload is Rasa's ``/intent{entities}`` form: the intent
``INTENCAO_BOTAO``, the answer it stands for (``valor``) and the step it was
offered at (``passo``, ``Estado.passo``). A tap is read back by ``ler``; the
engine refuses a step that is no longer the current one, so a button of an
earlier question, or of a finished form, never answers the current one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from bot.solicitacoes.mensagens import Mensagem

INTENCAO_BOTAO = "botao_formulario"
_PAYLOAD = re.compile(r"^\s*/" + INTENCAO_BOTAO + r"(\{.*\})\s*$", re.DOTALL)
_PASSO = re.compile(r"^[0-9a-f]{8,32}$")


@dataclass(frozen=True)
class Toque:
    """A tapped form button: the answer it stands for and its step."""

    valor: str
    passo: str


def payload(valor: str, passo: str) -> str:
    """What a form button sends back: its answer tied to its step."""
    return f"/{INTENCAO_BOTAO}" + json.dumps(
        {"passo": passo, "valor": valor}, ensure_ascii=False, separators=(",", ":")
    )


def ler(texto: str) -> Toque | None:
    """The tapped button in a message, or None for typed text (or a malformed payload)."""
    match = _PAYLOAD.match(texto or "")
    if not match:
        return None
    try:
        dados = json.loads(match.group(1))
    except ValueError:
        return None
    if not isinstance(dados, dict):
        return None
    valor, passo = dados.get("valor"), dados.get("passo")
    if not isinstance(valor, str) or not isinstance(passo, str) or not _PASSO.match(passo):
        return None
    return Toque(valor, passo)


def valor(payload_ou_texto: str) -> str:
    """The answer a payload stands for (the text itself when it is not a form button)."""
    toque = ler(payload_ou_texto)
    return toque.valor if toque else payload_ou_texto


def marcar(mensagens: list[Mensagem], passo: str) -> list[Mensagem]:
    """Tie the engine's own buttons to ``passo`` (other payloads, "/intent…", stay)."""
    saida = []
    for m in mensagens:
        botoes = m.get("buttons")
        if not botoes:
            saida.append(m)
            continue
        marcados = [
            b
            if str(b.get("payload", "")).startswith("/")
            else {**b, "payload": payload(str(b["payload"]), passo)}
            for b in botoes
        ]
        saida.append({**m, "buttons": marcados})
    return saida

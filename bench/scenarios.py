"""Realistic conversations for the load test, deterministic from a seed.

Three kinds, mixed by ``MIX`` (share of conversations):

* ``faq``: one to three questions from the held-out set (never trained on),
  sometimes a greeting first and a thank-you at the end;
* ``cadastro``: a whole user-registration request (seed item 4): started by
  free text or by the "Preencher agora" button of the FAQ answer, then unit,
  name, a generated valid CPF, e-mail, unit, cargo, "não", "confirmar";
* ``fallback``: out-of-scope questions from the held-out set and typed
  noise, one or two in a row (the second miss offers the NTS contact).

A turn is ``Turn(kind, text)``; ``text`` may be ``BUTTON`` + title, which
the client resolves to the payload of that button in the previous replies.
"""

from __future__ import annotations

import csv
import random
import string
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bench.common import HELDOUT, ROOT

MIX = (("faq", 0.6), ("cadastro", 0.2), ("fallback", 0.2))
BUTTON = "\x00button:"
PROTOCOL_MARK = "Protocolo: NTS-"

NOMES = (
    "Maria da Silva",
    "João Pereira",
    "Ana Beatriz Costa",
    "José Carlos Lima",
    "Francisca Souza",
    "Antônio Ferreira",
    "Juliana Alves",
    "Pedro Henrique Rocha",
    "Luciana Santos",
    "Carlos Eduardo Melo",
)
DOMINIOS = ("gmail.com", "yahoo.com.br", "uol.com.br", "bol.com.br")
INICIOS_CADASTRO = (
    "quero abrir uma solicitação de cadastro de usuário",
    "quero abrir uma solicitacao de cadastro de usuario agora",
)
FAQ_QUE_OFERECE = (
    "preciso cadastrar uma servidora nova no sei",
    "como faço pra cadastrar um usuario novo no sei",
)


@dataclass(frozen=True)
class Turn:
    """One user message and what kind of turn it is (faq/form/fallback)."""

    kind: str
    text: str


@dataclass
class Conversation:
    """A whole conversation of one sender."""

    kind: str
    turns: list[Turn]


def _catalogue(name: str, column: int = 0) -> list[str]:
    path = ROOT / "data" / "catalogs" / name
    rows = [
        r
        for r in csv.reader(path.read_text(encoding="utf-8").splitlines())
        if r and not r[0].startswith("#")
    ]
    return [r[column] for r in rows[1:]]


def _cpf(rng: random.Random) -> str:
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from geradores import gerar_cpf  # the test suite's generator: valid, not real
    finally:
        sys.path.pop(0)
    return gerar_cpf(rng, mascarado=rng.random() < 0.5)


def heldout_by_intent() -> dict[str, list[str]]:
    """Held-out examples grouped by intent."""
    from bot.rasa.nlu_eval import load_examples

    grouped: dict[str, list[str]] = {}
    for text, intent in load_examples(HELDOUT):
        grouped.setdefault(intent, []).append(text)
    return grouped


class ScenarioFactory:
    """Makes conversations from the held-out set and the catalogues."""

    def __init__(self, seed: int = 20261125) -> None:
        self.rng = random.Random(seed)
        grouped = heldout_by_intent()
        self.faq = [t for i, ts in grouped.items() if i.startswith("faq_") for t in ts]
        self.greet = grouped.get("greet", ["bom dia"])
        self.thanks = grouped.get("thanks", ["obrigado"])
        self.out_of_scope = grouped.get("out_of_scope", ["vai chover hoje?"])
        self.siglas = _catalogue("unidades.csv")
        self.cargos = _catalogue("cargos.csv")

    def conversation(self, kind: str | None = None) -> Conversation:
        """The next conversation: of ``kind``, or drawn from ``MIX``."""
        if kind is None:
            kind = self.rng.choices([k for k, _ in MIX], [w for _, w in MIX])[0]
        return getattr(self, f"_{kind}")()

    def conversations(self) -> Iterator[Conversation]:
        while True:
            yield self.conversation()

    def _faq(self) -> Conversation:
        r = self.rng
        turns = []
        if r.random() < 0.3:
            turns.append(Turn("faq", r.choice(self.greet)))
        turns += [Turn("faq", q) for q in r.sample(self.faq, r.randint(1, 3))]
        if r.random() < 0.3:
            turns.append(Turn("faq", r.choice(self.thanks)))
        return Conversation("faq", turns)

    def _cadastro(self) -> Conversation:
        r = self.rng
        if r.random() < 0.5:
            start = [
                Turn("faq", r.choice(FAQ_QUE_OFERECE)),
                Turn("form", BUTTON + "Preencher agora"),
            ]
        else:
            start = [Turn("form", r.choice(INICIOS_CADASTRO))]
        nome = r.choice(NOMES)
        usuario = nome.lower().split()[0] + "." + nome.lower().split()[-1]
        usuario = usuario.translate(str.maketrans("áâãéêíóôõúç", "aaaeeiooouc"))
        fields = [
            r.choice(self.siglas),
            nome.lower() if r.random() < 0.3 else nome,
            _cpf(r),
            f"{usuario}{r.randint(1, 99)}@{r.choice(DOMINIOS)}",
            r.choice(self.siglas),
            r.choice(self.cargos),
            "não",
            "confirmar",
        ]
        return Conversation("cadastro", start + [Turn("form", f) for f in fields])

    def _fallback(self) -> Conversation:
        r = self.rng
        turns = []
        for _ in range(r.randint(1, 2)):
            if r.random() < 0.7:
                turns.append(Turn("fallback", r.choice(self.out_of_scope)))
            else:
                noise = "".join(r.choice(string.ascii_lowercase + "  ") for _ in range(14))
                turns.append(Turn("fallback", noise.strip() or "xyz"))
        return Conversation("fallback", turns)


def resolve(text: str, previous_replies: Sequence[dict]) -> tuple[str, bool]:
    """The message to send: a button's payload when ``text`` names a button.

    Returns (message, found); a button missing from the previous replies is
    sent as its title (what a user typing it would do).
    """
    if not text.startswith(BUTTON):
        return text, True
    title = text[len(BUTTON) :]
    for reply in reversed(previous_replies):
        for button in reply.get("buttons") or []:
            if button.get("title") == title:
                return button["payload"], True
    return title, False


def turn_mix(sample: int = 2000, seed: int = 1) -> dict[str, float]:
    """Share of each turn kind in the generated traffic."""
    factory = ScenarioFactory(seed)
    counts: dict[str, int] = {}
    total = 0
    while total < sample:
        for turn in factory.conversation().turns:
            counts[turn.kind] = counts.get(turn.kind, 0) + 1
            total += 1
    return {k: v / total for k, v in sorted(counts.items())}

"""Rasa NLU component that normalises tokens before featurisation.

Runs after the tokenizer: every token's text and lemma become the folded
form of ``bot.text`` (lowercase, no accents, chat abbreviations expanded),
so "Você", "voce" and "vc" reach the featurizers as the same word. Token
offsets are untouched, so the message text itself (names, e-mails typed in
forms) is never altered. This is the only module of ``bot`` that imports
Rasa; Rasa imports it from ``config.yml``.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.text import normalize_token


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False
)
class TokenNormalizer(GraphComponent):
    """Folds token text and lemma to the canonical form of ``bot.text``."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """No options: the normalisation rules live in ``bot.text``."""
        return {}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "TokenNormalizer":
        """Create the component."""
        return cls()

    @staticmethod
    def _normalize(message: Message) -> None:
        for token in message.get(TOKENS_NAMES[TEXT]) or []:
            token.text = normalize_token(token.text)
            token.lemma = normalize_token(token.lemma)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Normalise the tokens of every training example."""
        for example in training_data.training_examples:
            self._normalize(example)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Normalise the tokens of incoming messages."""
        for message in messages:
            self._normalize(message)
        return messages

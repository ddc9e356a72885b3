"""Rasa NLU components: token normalisation, TF-IDF features, linear intents.

Runs after the tokenizer: every token's text and lemma become the folded
form of ``bot.text`` (lowercase, no accents, chat abbreviations expanded),
so "Você", "voce" and "vc" reach the featurizers as the same word. Token
offsets are untouched, so the message text itself (names, e-mails typed in
forms) is never altered. This is the only module of ``bot`` that imports
Rasa; Rasa imports it from ``config.yml``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.text import fold, normalize_token


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class TokenNormalizer(GraphComponent):
    """Folds token text and lemma to the canonical form of ``bot.text``."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """No options: the normalisation rules live in ``bot.text``."""
        return {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TokenNormalizer:
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

    def process(self, messages: list[Message]) -> list[Message]:
        """Normalise the tokens of incoming messages."""
        for message in messages:
            self._normalize(message)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class TfidfFeaturizer(SparseFeaturizer, GraphComponent):
    """Sparse TF-IDF features: character n-grams (word-bounded) and words.

    Counts (Rasa's CountVectorsFeaturizer) weigh every n-gram alike; TF-IDF
    with sublinear term frequency and L2 normalisation lets the rare, telling
    n-grams of a topic ("desanex", "lotac") outweigh the common ones. Works
    on the normalised tokens of ``TokenNormalizer``. Persisted as JSON
    (vocabulary and IDF weights), never pickled.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Character and word n-gram ranges."""
        return {
            **SparseFeaturizer.get_default_config(),
            "char_ngram_range": [2, 5],
            "word_ngram_range": [1, 2],
            "sublinear_tf": True,
            # "text": sentence features from the folded message text (lowercase,
            # no accents); "tokens": from the normalised tokens
            "sentence_source": "tokens",
            # token-level features: useless to DIET without transformer layers
            # and entity recognition (its intent reads only the sentence
            # position), and they are most of its training time
            "sequence_features": True,
        }

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Both ranges must be [min, max] with 1 <= min <= max."""
        for key in ("char_ngram_range", "word_ngram_range"):
            low, high = config[key]
            if not 1 <= low <= high:
                raise ValueError(f"{key} inválido: {config[key]}")

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        vectorizers: list[Any] | None = None,
    ) -> None:
        """Create the featurizer (``vectorizers`` when loaded from disk)."""
        SparseFeaturizer.__init__(self, execution_context.node_name, config)
        self._model_storage = model_storage
        self._resource = resource
        self._vectorizers = vectorizers or []

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TfidfFeaturizer:
        """Create an untrained featurizer."""
        return cls(config, model_storage, resource, execution_context)

    def _new_vectorizers(self) -> list[Any]:
        from sklearn.feature_extraction.text import TfidfVectorizer

        common = {
            "lowercase": False,
            "sublinear_tf": self._config["sublinear_tf"],
            "dtype": np.float32,
        }
        return [
            TfidfVectorizer(
                analyzer="char_wb", ngram_range=tuple(self._config["char_ngram_range"]), **common
            ),
            TfidfVectorizer(
                analyzer="word",
                token_pattern=r"(?u)\b\w+\b",
                ngram_range=tuple(self._config["word_ngram_range"]),
                **common,
            ),
        ]

    @staticmethod
    def _tokens(message: Message) -> list[str]:
        return [t.text for t in message.get(TOKENS_NAMES[TEXT]) or []]

    def _sentence(self, message: Message) -> str:
        if self._config.get("sentence_source") == "text":
            return fold(message.get(TEXT) or "")
        return " ".join(self._tokens(message))

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the vectorizers on the training examples' sentences."""
        texts = [self._sentence(m) for m in training_data.training_examples if m.get(TEXT)]
        self._vectorizers = self._new_vectorizers()
        for vectorizer in self._vectorizers:
            vectorizer.fit(texts)
        self.persist()
        return self._resource

    def _featurize(self, message: Message) -> None:
        tokens = self._tokens(message)
        if not tokens or not self._vectorizers:
            return
        sentence = scipy.sparse.hstack(
            [v.transform([self._sentence(message)]) for v in self._vectorizers]
        ).tocoo()
        sequence = None
        if self._config.get("sequence_features", True):
            sequence = scipy.sparse.hstack([v.transform(tokens) for v in self._vectorizers]).tocoo()
        self.add_features_to_message(sequence, sentence, TEXT, message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Add features to every training example."""
        for example in training_data.training_examples:
            self._featurize(example)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Add features to incoming messages."""
        for message in messages:
            self._featurize(message)
        return messages

    def persist(self) -> None:
        """Save vocabularies and IDF weights as JSON."""
        state = [
            {
                "vocabulary": {k: int(i) for k, i in v.vocabulary_.items()},
                "idf": [float(x) for x in v.idf_],
            }
            for v in self._vectorizers
        ]
        with self._model_storage.write_to(self._resource) as model_dir:
            (Path(model_dir) / "tfidf.json").write_text(json.dumps(state), encoding="utf-8")

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TfidfFeaturizer:
        """Rebuild the fitted vectorizers from JSON."""
        component = cls(config, model_storage, resource, execution_context)
        try:
            with model_storage.read_from(resource) as model_dir:
                state = json.loads((Path(model_dir) / "tfidf.json").read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            return component
        vectorizers = component._new_vectorizers()
        for vectorizer, saved in zip(vectorizers, state, strict=True):
            vectorizer.vocabulary_ = saved["vocabulary"]
            vectorizer.idf_ = np.asarray(saved["idf"], dtype=np.float32)
        component._vectorizers = vectorizers
        return component


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """Multinomial logistic regression on the sentence TF-IDF features.

    Trains in seconds and predicts in well under a millisecond. With
    ``blend_weight`` > 0 it averages its probabilities with the ranking an
    earlier classifier (DIET) left on the message: a two-model ensemble.
    Persisted as JSON (classes, coefficients, intercepts), never pickled.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Regularisation, ranking length and weight of an earlier ranking."""
        return {
            "C": 10.0,
            "max_iter": 3000,
            "ranking_length": 10,
            "blend_weight": 0.0,
            # evaluation only: also output both rankings before blending
            "expose_rankings": False,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        state: dict[str, Any] | None = None,
    ) -> None:
        """Create the classifier (``state`` when loaded from disk)."""
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._state = state

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        """Create an untrained classifier."""
        return cls(config, model_storage, resource)

    @staticmethod
    def _features(message: Message) -> scipy.sparse.spmatrix | None:
        # the sparse sentence features of the text side by side, in the order
        # Message.get_sparse_features uses; one hstack instead of its
        # deep copy and pairwise stacking of sequence and sentence (~0.8 ms)
        parts = [
            f.features
            for f in message.features
            if f.attribute == TEXT and f.is_sparse() and f.type == FEATURE_TYPE_SENTENCE
        ]
        if not parts:
            return None
        return scipy.sparse.hstack(parts, format="csr")

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the regression on examples that have an intent and features."""
        from sklearn.linear_model import LogisticRegression

        rows, labels = [], []
        for example in training_data.intent_examples:
            features = self._features(example)
            if features is not None:
                rows.append(features)
                labels.append(example.get(INTENT))
        if len(set(labels)) < 2:
            return self._resource
        model = LogisticRegression(C=self._config["C"], max_iter=self._config["max_iter"])
        model.fit(scipy.sparse.vstack(rows), labels)
        coef, intercept = model.coef_, model.intercept_
        if coef.shape[0] == 1:  # binary: sigmoid(w.x + b) == softmax([0, w.x + b])
            coef = np.vstack([np.zeros_like(coef), coef])
            intercept = np.concatenate([[0.0], intercept])
        self._state = {
            "classes": [str(c) for c in model.classes_],
            "coef": coef.astype(float).tolist(),
            "intercept": intercept.astype(float).tolist(),
        }
        self._weights()
        with self._model_storage.write_to(self._resource) as model_dir:
            (Path(model_dir) / "linear.json").write_text(json.dumps(self._state))
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        """Load the JSON state written by ``train``."""
        try:
            with model_storage.read_from(resource) as model_dir:
                state = json.loads((Path(model_dir) / "linear.json").read_text())
        except (ValueError, FileNotFoundError):
            state = None
        component = cls(config, model_storage, resource, state)
        if state:
            component._weights()
        return component

    def _trained_state(self) -> dict[str, Any]:
        """The trained weights; only called after ``train`` or ``load`` set them."""
        if self._state is None:
            raise RuntimeError("LinearIntentClassifier used before train/load")
        return self._state

    def _weights(self) -> None:
        """Arrays of ``_state`` for prediction (after ``train`` and ``load``)."""
        # features x classes, C order: a message's non-zero features pick whole
        # rows (a sparse-times-dense product would copy the transposed matrix
        # on every call: ~2 ms a message with ~100k features)
        state = self._trained_state()
        self._coef_t = np.ascontiguousarray(np.asarray(state["coef"], dtype=np.float32).T)
        self._intercept = np.asarray(state["intercept"], dtype=np.float32)

    def _probabilities(self, features: scipy.sparse.spmatrix) -> np.ndarray:
        row = (
            features if scipy.sparse.isspmatrix_csr(features) else scipy.sparse.csr_matrix(features)
        )
        if row.shape[0] == 1:  # the sentence vector: sum of the picked rows
            scores = row.data @ self._coef_t[row.indices] + self._intercept
        else:
            scores = np.asarray(row @ self._coef_t).sum(axis=0) + self._intercept
        scores = np.exp(scores - scores.max())
        return scores / scores.sum()

    def _blend(self, probs: np.ndarray, message: Message) -> np.ndarray:
        weight = self._config["blend_weight"]
        previous = message.get(INTENT_RANKING_KEY) or []
        if weight <= 0 or not previous:
            return probs
        index = {name: i for i, name in enumerate(self._trained_state()["classes"])}
        other = np.zeros_like(probs)
        for entry in previous:
            if entry.get("name") in index:
                other[index[entry["name"]]] = entry.get("confidence") or 0.0
        if other.sum() > 0:
            other = other / other.sum()
        return (1 - weight) * probs + weight * other

    def process(self, messages: list[Message]) -> list[Message]:
        """Set intent and ranking on each message."""
        for message in messages:
            features = self._features(message)
            if not self._state or features is None:
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
                continue
            own = self._probabilities(features)
            if self._config.get("expose_rankings"):
                message.set(
                    "ranking_linear",
                    dict(zip(self._state["classes"], own.astype(float).tolist(), strict=True)),
                    add_to_output=True,
                )
                message.set(
                    "ranking_anterior",
                    {e["name"]: e["confidence"] for e in message.get(INTENT_RANKING_KEY) or []},
                    add_to_output=True,
                )
            probs = self._blend(own, message)
            order = np.argsort(-probs)[: self._config["ranking_length"]]
            ranking = [
                {"name": self._state["classes"][i], "confidence": float(probs[i])} for i in order
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

"""Rasa NLU components: token normalisation, TF-IDF features, linear intents.

Runs after the tokenizer: every token's text and lemma become the folded
form of ``bot.text`` (lowercase, no accents, chat abbreviations expanded),
so "Você", "voce" and "vc" reach the featurizers as the same word. Token
offsets are untouched, so the message text itself (names, e-mails typed in
forms) is never altered. This is the only module of ``bot`` that imports
Rasa; Rasa imports it from ``config.yml``.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, ClassVar

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

from bot.rasa.sparse import hstack_coo
from bot.rasa.tfidf import SentenceTfidf, stacked_row
from bot.text import fold, normalize_token

# the folded message text with misspelt words corrected (SpellingCorrector)
CORRECTED_TEXT = "texto_corrigido"


class _JsonPersisted:
    """A trainable component whose state is one JSON file (``STATE_FILE``) in its
    model storage resource, its large float arrays (``ARRAYS``, keys of the
    state) beside it as ``KEY.npy`` (float32, read without pickle): never
    pickled. A state whose JSON still holds an array (a model trained before
    the arrays moved out) is read as it is."""

    STATE_FILE: ClassVar[str]
    ARRAYS: ClassVar[tuple[str, ...]] = ()
    _model_storage: ModelStorage
    _resource: Resource

    def _write_state(self, state: Any) -> None:
        with self._model_storage.write_to(self._resource) as model_dir:
            directory = Path(model_dir)
            for key in self.ARRAYS:
                np.save(directory / f"{key}.npy", np.asarray(state[key], dtype=np.float32))
            plain = (
                {k: v for k, v in state.items() if k not in self.ARRAYS} if self.ARRAYS else state
            )
            (directory / self.STATE_FILE).write_text(json.dumps(plain), encoding="utf-8")

    @classmethod
    def _read_state(cls, model_storage: ModelStorage, resource: Resource) -> Any:
        """The state the component persisted, or None when there is none."""
        try:
            with model_storage.read_from(resource) as model_dir:
                directory = Path(model_dir)
                state = json.loads((directory / cls.STATE_FILE).read_text(encoding="utf-8"))
                for key in cls.ARRAYS:
                    if key not in state:
                        state[key] = np.load(directory / f"{key}.npy", allow_pickle=False)
                return state
        except (ValueError, FileNotFoundError):
            return None


def blend(
    probs: np.ndarray, classes: list[str], previous: list[dict[str, Any]], weight: float
) -> np.ndarray:
    """``probs`` (over ``classes``) averaged with an earlier ranking, renormalised.

    ``(1 - weight) * probs + weight * previous``; the cross-validation
    (``bot.rasa.nlu_cv``) replays it with other weights.
    """
    if weight <= 0 or not previous:
        return probs
    index = {name: i for i, name in enumerate(classes)}
    other = np.zeros_like(probs)
    for entry in previous:
        if entry.get("name") in index:
            other[index[entry["name"]]] = entry.get("confidence") or 0.0
    if other.sum() > 0:
        other = other / other.sum()
    return (1 - weight) * probs + weight * other


def _softmax_weights(model: Any) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients and intercepts of a fitted regression as a softmax over classes."""
    coef, intercept = model.coef_, model.intercept_
    if coef.shape[0] == 1:  # binary: sigmoid(w.x + b) == softmax([0, w.x + b])
        coef = np.vstack([np.zeros_like(coef), coef])
        intercept = np.concatenate([[0.0], intercept])
    return coef, intercept


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
class TfidfFeaturizer(_JsonPersisted, SparseFeaturizer, GraphComponent):
    """Sparse TF-IDF features: character n-grams (word-bounded) and words.

    Counts (Rasa's CountVectorsFeaturizer) weigh every n-gram alike; TF-IDF
    with sublinear term frequency and L2 normalisation lets the rare, telling
    n-grams of a topic ("desanex", "lotac") outweigh the common ones. Works
    on the normalised tokens of ``TokenNormalizer``. Persisted as JSON
    (vocabulary and IDF weights), never pickled.
    """

    STATE_FILE = "tfidf.json"

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
        # the loaded vectorizers' rows without scikit-learn's per-call cost (load only:
        # freshly fitted vectorizers compute in float32, and training keeps that)
        self._rows: list[SentenceTfidf] | None = None

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
            return message.get(CORRECTED_TEXT) or fold(message.get(TEXT) or "")
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
        if self._rows is not None:
            sentence = stacked_row(self._rows, self._sentence(message))
        else:
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
        self._write_state(state)

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
        state = cls._read_state(model_storage, resource)
        if state is None:
            return component
        vectorizers = component._new_vectorizers()
        for vectorizer, saved in zip(vectorizers, state, strict=True):
            vectorizer.vocabulary_ = saved["vocabulary"]
            vectorizer.idf_ = np.asarray(saved["idf"], dtype=np.float32)
        component._vectorizers = vectorizers
        component._rows = [SentenceTfidf(v) for v in vectorizers]
        return component


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentClassifier(_JsonPersisted, GraphComponent, IntentClassifier):
    """Multinomial logistic regression on the sentence TF-IDF features.

    Trains in seconds and predicts in well under a millisecond. With
    ``blend_weight`` > 0 it averages its probabilities with the ranking an
    earlier classifier (DIET) left on the message: a two-model ensemble.
    Persisted as JSON (classes, intercepts) and float32 coefficients (.npy), never
    pickled.
    """

    STATE_FILE = "linear.json"
    ARRAYS = ("coef",)  # ~25k features x classes: 0.4 s and 14 MB of RSS to read as JSON

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
        if all(scipy.sparse.isspmatrix_coo(p) for p in parts):
            return hstack_coo(parts).tocsr()  # the same matrix, without bmat's overhead
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
        coef, intercept = _softmax_weights(model)
        self._state = {
            "classes": [str(c) for c in model.classes_],
            "coef": coef.astype(np.float32),
            "intercept": intercept.astype(float).tolist(),
        }
        self._weights()
        self._write_state(self._state)
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
        state = cls._read_state(model_storage, resource)
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
        return blend(
            probs,
            self._trained_state()["classes"],
            message.get(INTENT_RANKING_KEY) or [],
            self._config["blend_weight"],
        )

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


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=True)
class SpellingCorrector(_JsonPersisted, GraphComponent):
    """Corrects misspelt words against the training vocabulary (``bot.rasa.ortografia``).

    Runs after ``TokenNormalizer``: a token the training data never saw
    ("snha") becomes the closest known word ("senha") in its text and lemma,
    and the message gets a corrected copy of its folded text for the
    sentence features (``TfidfFeaturizer`` reads it). The message text
    itself is never altered. The vocabulary is persisted as JSON.
    """

    STATE_FILE = "vocabulario.json"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """No options: the rules live in ``bot.rasa.ortografia``."""
        return {}

    def __init__(
        self,
        model_storage: ModelStorage,
        resource: Resource,
        frequencias: dict[str, int] | None = None,
    ) -> None:
        """Create the corrector (``frequencias`` when loaded from disk)."""
        from bot.rasa.ortografia import Corretor

        self._model_storage = model_storage
        self._resource = resource
        self._corretor = Corretor(frequencias or {})

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SpellingCorrector:
        """Create an untrained corrector."""
        return cls(model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Learn the vocabulary of the training examples."""
        from bot.rasa.ortografia import Corretor, palavras

        frequencias = palavras(
            fold(m.get(TEXT) or "") for m in training_data.training_examples if m.get(TEXT)
        )
        self._corretor = Corretor(frequencias)
        self._write_state(self._corretor.frequencias)
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SpellingCorrector:
        """Load the vocabulary written by ``train``."""
        return cls(model_storage, resource, cls._read_state(model_storage, resource))

    def _correct(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        folded = list(fold(text))
        changed = False
        for token in reversed(tokens):
            corrected = self._corretor.corrigir(token.text)
            if corrected == token.text:
                continue
            changed = True
            token.text = token.lemma = corrected
            if 0 <= token.start <= token.end <= len(folded):
                folded[token.start : token.end] = list(corrected)
        if changed:
            message.set(CORRECTED_TEXT, "".join(folded))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Apply the same rewriting to the training examples."""
        for example in training_data.training_examples:
            self._correct(example)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Correct the tokens of incoming messages."""
        for message in messages:
            self._correct(message)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class IntentRefiner(_JsonPersisted, GraphComponent, IntentClassifier):
    """After the classifiers: injection, several questions, follow-ups.

    - an instruction-injection message is ``out_of_scope`` (``refino.e_injecao``);
    - a question about who holds a post, or the contact of a body other than
      the NTS, is off-page: the page names no one and gives the NTS's contacts
      only (``refino.pede_uma_pessoa``, ``refino.pede_contato_sem_resposta``);
    - a message with two or more questions on different FAQ topics becomes
      ``varias_perguntas`` with the topics in ``perguntas``: each part is
      classified by a small TF-IDF + logistic regression of its own, trained
      here on the training examples;
    - a short follow-up right after a topic's answer is read in that topic's
      context (``refino.com_contexto``; the tracker gives the previous turn);
    - an unsure topic reading of a message with words that topic's examples
      never use is the off-page reading (``refino.novidade``);
    - an unsure reading of a message whose telling words the domain never uses
      is ``out_of_scope`` (``refino.fora_do_dominio``).
    Runs before the FallbackClassifier. Persisted as JSON and a float32 .npy, never
    pickled.
    """

    STATE_FILE = "refino.json"
    ARRAYS = ("coef",)

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Thresholds of the refinements and the per-question classifier."""
        return {
            # each question of a multi-question message, by the per-question model
            "segment_threshold": 0.6,
            # split on a weak marker only when no topic is this clear
            "single_topic_confidence": 0.9,
            # an off-page reading first by this margin is kept even when unsure:
            # the off-page reply answers nothing, it only points to the NTS
            "off_page_min_confidence": 0.25,
            "off_page_margin": 0.05,
            # confidence given to it: above the FallbackClassifier threshold
            "off_page_confidence": 0.5,
            # a first reading under the FallbackClassifier's threshold (or too
            # close to the second) that the per-question model also gives first,
            # with at least this probability, is kept: two models agree
            "fallback_threshold": 0.4,
            "agreement_min_confidence": 0.4,
            # a topic first under this confidence, with at least this many words
            # new to it (0: off), is read off-page; a word used by this many
            # intents' examples or more is never new (refino.palavras_novas)
            "novelty_max_confidence": 0.6,
            "novelty_min_words": 0,
            "novelty_max_intents": 3,
            # evaluation only (bot.rasa.nlu_cv): also output the per-question
            # model's reading of the whole text and which refinement applied
            "expose_readings": False,
            "C": 10.0,
            "max_iter": 2000,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        state: dict[str, Any] | None = None,
    ) -> None:
        """Create the refiner (``state`` when loaded from disk)."""
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._state = state
        self._vectorizer: Any = None
        self._rows: SentenceTfidf | None = None  # the vectorizer's rows, computed directly
        if state:
            self._build(state)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IntentRefiner:
        """Create an untrained refiner."""
        return cls(config, model_storage, resource)

    @staticmethod
    def _new_vectorizer() -> Any:
        from sklearn.feature_extraction.text import TfidfVectorizer

        # 2-4-grams seen twice: a third of the features of 2-5-grams, ~3 s to train
        return TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 4), min_df=2, sublinear_tf=True, dtype=np.float32
        )

    def _build(self, state: dict[str, Any]) -> None:
        vectorizer = self._new_vectorizer()
        vectorizer.vocabulary_ = state["vocabulary"]
        vectorizer.idf_ = np.asarray(state["idf"], dtype=np.float32)
        self._vectorizer = vectorizer
        self._rows = SentenceTfidf(vectorizer)
        self._coef_t = np.ascontiguousarray(np.asarray(state["coef"], dtype=np.float32).T)
        self._intercept = np.asarray(state["intercept"], dtype=np.float32)

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the per-question classifier on the training examples."""
        from sklearn.linear_model import LogisticRegression

        pairs = [
            (m.get(CORRECTED_TEXT) or fold(m.get(TEXT) or ""), m.get(INTENT))
            for m in training_data.intent_examples
            if m.get(TEXT) and m.get(INTENT)
        ]
        if len({i for _, i in pairs}) < 2:
            return self._resource
        vectorizer = self._new_vectorizer()
        matrix = vectorizer.fit_transform([t for t, _ in pairs])
        model = LogisticRegression(C=self._config["C"], max_iter=self._config["max_iter"])
        model.fit(matrix, [i for _, i in pairs])
        coef, intercept = _softmax_weights(model)
        intents_of: dict[str, set[str]] = {}
        for example in training_data.intent_examples:
            intent = example.get(INTENT)
            for word in self._words(example) if intent else ():
                intents_of.setdefault(word, set()).add(intent)
        self._state = {
            "vocabulary": {k: int(v) for k, v in vectorizer.vocabulary_.items()},
            "idf": [float(x) for x in vectorizer.idf_],
            "classes": [str(c) for c in model.classes_],
            "coef": coef.astype(np.float32),
            "intercept": intercept.astype(float).tolist(),
            "intencoes_da_palavra": {w: sorted(i) for w, i in sorted(intents_of.items())},
        }
        self._build(self._state)
        self._write_state(self._state)
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> IntentRefiner:
        """Load the JSON state written by ``train``."""
        return cls(config, model_storage, resource, cls._read_state(model_storage, resource))

    @staticmethod
    def _words(message: Message) -> list[str]:
        """The message's tokens as normalised and corrected before this component."""
        return [t.text for t in message.get(TOKENS_NAMES[TEXT]) or []]

    def _new_words(self, message: Message, topic: str) -> list[str]:
        from bot.rasa.refino import palavras_novas

        return palavras_novas(
            self._words(message),
            topic,
            (self._state or {}).get("intencoes_da_palavra") or {},
            self._config["novelty_max_intents"],
        )

    def _classify(self, texts: list[str]) -> list[tuple[str, float]]:
        assert self._rows is not None
        rows = self._rows.transform(texts)
        scores = np.asarray(rows @ self._coef_t) + self._intercept
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        probs = scores / scores.sum(axis=1, keepdims=True)
        classes = self._state["classes"] if self._state else []
        return [
            (classes[int(i)], float(p[int(i)]))
            for p, i in zip(probs, probs.argmax(axis=1), strict=True)
        ]

    def _questions(
        self, message: Message, topics: set[str], ranking: list[dict[str, Any]]
    ) -> list[str]:
        from bot.rasa.refino import dividir_perguntas

        if self._vectorizer is None:
            return []
        text = message.get(CORRECTED_TEXT) or message.get(TEXT) or ""
        parts = dividir_perguntas(text, fracos=False)
        if len(parts) < 2:
            # only a weak marker: a message read confidently as one topic is one question
            confident = float(ranking[0].get("confidence") or 0.0)
            if confident >= self._config["single_topic_confidence"]:
                return []
            parts = dividir_perguntas(text)
        if len(parts) < 2:
            return []
        from bot.rasa.refino import INTENCAO_FORA_DA_PAGINA

        found: list[str] = []
        for part, (intent, confidence) in zip(parts, self._classify(parts), strict=True):
            threshold = self._config["segment_threshold"]
            # an off-page part must be a question of its own, not a fragment
            # ("o sei é um sistema de que? de documentos?")
            off_page = intent == INTENCAO_FORA_DA_PAGINA and len(part.split()) >= 4
            wanted = intent in topics or off_page
            if wanted and confidence >= threshold and intent not in found:
                found.append(intent)
        # two questions, at least one of them on a topic of the page
        return found if len(found) >= 2 and set(found) & topics else []

    @staticmethod
    def _previous_turn(tracker: Any) -> list[dict[str, Any]]:
        """The tracker's last events as dicts, back to the previous user message."""
        tail: list[dict[str, Any]] = []
        for event in reversed(getattr(tracker, "events", None) or []):
            kind = getattr(event, "type_name", "")
            if kind == "action":
                tail.append({"event": "action", "name": getattr(event, "action_name", None)})
            elif kind == "user":
                tail.append({"event": "user", "parse_data": getattr(event, "parse_data", {})})
                break
        return list(reversed(tail))

    @staticmethod
    def _set_ranking(message: Message, ranking: list[dict[str, Any]]) -> None:
        message.set(
            INTENT,
            {"name": ranking[0]["name"], "confidence": ranking[0]["confidence"]},
            add_to_output=True,
        )
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)

    def process(self, messages: list[Message], tracker: Any = None) -> list[Message]:
        """Refine intent and ranking of each message."""
        from bot.rasa import refino

        topics = {c for c in (self._state or {}).get("classes", []) if c.startswith("faq_")}
        for message in messages:
            text = message.get(TEXT) or ""
            ranking = [dict(r) for r in message.get(INTENT_RANKING_KEY) or []]
            if not ranking:
                continue
            self._expose(message)
            if refino.e_injecao(text):
                rest = [r for r in ranking if r["name"] != refino.INTENCAO_FORA_DO_ESCOPO]
                self._expose(message, "injecao")
                self._set_ranking(
                    message, [{"name": refino.INTENCAO_FORA_DO_ESCOPO, "confidence": 1.0}, *rest]
                )
                continue
            previous = refino.topico_anterior(self._previous_turn(tracker))
            pessoa = refino.pede_uma_pessoa(text)
            if pessoa or refino.pede_contato_sem_resposta(text, previous):
                self._expose(message, "pessoa" if pessoa else "contato")
                self._set_ranking(
                    message,
                    refino.por_cima(
                        refino.INTENCAO_FORA_DA_PAGINA,
                        refino.CONFIANCA_SEM_NOME_NEM_CONTATO,
                        ranking,
                    ),
                )
                continue
            questions = self._questions(message, topics, ranking)
            if questions:
                self._expose(message, "varias_perguntas")
                message.set("perguntas", questions, add_to_output=True)
                self._set_ranking(message, refino.por_cima(refino.INTENCAO_VARIAS, 1.0, ranking))
                continue
            steered = refino.com_contexto(
                ranking, previous, text, topics, functools.partial(self._new_words, message)
            )
            if steered:
                self._expose(message, "contexto")
                self._set_ranking(message, steered)
                continue
            if not self._keep_off_page(message, ranking):
                self._keep_agreement(message, ranking)
                self._off_page_if_new(message, topics)
                self._out_of_scope_if_foreign(message)
        return messages

    def _out_of_scope_if_foreign(self, message: Message) -> None:
        """An unsure reading of a message whose telling words the domain never uses."""
        from bot.rasa import refino

        ranking = [dict(r) for r in message.get(INTENT_RANKING_KEY) or []]
        if not ranking or not refino.incerta(ranking, self._config["fallback_threshold"]):
            return
        foreign = refino.fora_do_dominio(
            self._words(message),
            (self._state or {}).get("intencoes_da_palavra") or {},
            self._config["novelty_max_intents"],
        )
        if foreign:
            confidence = self._config["off_page_confidence"]
            self._set_ranking(
                message, refino.por_cima(refino.INTENCAO_FORA_DO_ESCOPO, confidence, ranking)
            )

    def _whole_text_reading(self, message: Message) -> tuple[str, float]:
        text = message.get(CORRECTED_TEXT) or fold(message.get(TEXT) or "")
        return self._classify([text])[0]

    def _expose(self, message: Message, path: str | None = None) -> None:
        """With ``expose_readings``: the whole-text reading and the refinement taken."""
        if not self._config.get("expose_readings"):
            return
        if path is None and self._vectorizer is not None:
            intent, confidence = self._whole_text_reading(message)
            message.set("leitura_refino", [intent, confidence], add_to_output=True)
            topics = [c for c in (self._state or {}).get("classes", []) if c.startswith("faq_")]
            new = {topic: len(self._new_words(message, topic)) for topic in topics}
            message.set("novas_por_topico", new, add_to_output=True)
        message.set("refino_aplicado", path, add_to_output=True)

    def _keep_agreement(self, message: Message, ranking: list[dict[str, Any]]) -> None:
        """An unsure first reading the per-question model agrees with is kept."""
        from bot.rasa import refino

        threshold = self._config["fallback_threshold"]
        if self._vectorizer is None or not refino.incerta(ranking, threshold):
            return
        kept = refino.concordancia(
            ranking,
            self._whole_text_reading(message),
            threshold,
            self._config["agreement_min_confidence"],
        )
        if kept:
            self._set_ranking(message, kept)

    def _off_page_if_new(self, message: Message, topics: set[str]) -> None:
        """An unsure topic reading with words new to that topic becomes off-page."""
        from bot.rasa import refino

        ranking = [dict(r) for r in message.get(INTENT_RANKING_KEY) or []]
        minimum = int(self._config["novelty_min_words"])
        if not ranking or minimum <= 0 or ranking[0]["name"] not in topics:
            return
        off_page = refino.novidade(
            ranking,
            len(self._new_words(message, ranking[0]["name"])),
            minimum,
            self._config["novelty_max_confidence"],
            self._config["off_page_confidence"],
        )
        if off_page:
            self._set_ranking(message, off_page)

    def _keep_off_page(self, message: Message, ranking: list[dict[str, Any]]) -> bool:
        """An unsure off-page first reading is kept (True when it was)."""
        from bot.rasa import refino

        kept = refino.fora_mantido(
            ranking,
            self._config["off_page_min_confidence"],
            self._config["off_page_margin"],
            self._config["off_page_confidence"],
        )
        if kept:
            self._set_ranking(message, kept)
            return True
        return False

"""SentenceTfidf gives, bit for bit, the matrices scikit-learn's transform gives."""

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa.components import IntentRefiner, TfidfFeaturizer
from bot.rasa.nlu_eval import load_examples
from bot.rasa.tfidf import SentenceTfidf, stacked_row
from bot.text import fold

ROOT = Path(__file__).resolve().parents[2]
TRAINING = [t for t, _ in load_examples(ROOT / "data" / "nlu.yml")]
OTHERS = [
    t
    for name in ("nlu_heldout.yml", "nlu_dificeis.yml")
    for t, _ in load_examples(ROOT / "tests" / "data" / name)
]
# what no vocabulary holds, one character, accents and symbols, an empty text
ODD = ["", " ", "x", "zzzzqqqq wwwwkkkk", "ção?!", "123.456.789-00", "a" * 400]


@pytest.fixture(scope="module")
def vectorizers(tmp_path_factory):
    """The model's two vectorizers fitted on data/nlu.yml, persisted and loaded back by
    TfidfFeaturizer itself."""
    storage = LocalModelStorage(tmp_path_factory.mktemp("tfidf"))
    context = ExecutionContext(GraphSchema({}), node_name="tfidf")
    config = {**TfidfFeaturizer.get_default_config(), "sentence_source": "text"}
    data = TrainingData(training_examples=[Message(data={"text": t}) for t in TRAINING])
    TfidfFeaturizer.create(config, storage, Resource("tfidf"), context).train(data)
    return TfidfFeaturizer.load(config, storage, Resource("tfidf"), context)._vectorizers


def _same(expected, got):
    assert expected.shape == got.shape
    assert expected.dtype == got.dtype
    assert np.array_equal(
        expected.indices if hasattr(expected, "indices") else expected.col,
        got.indices if hasattr(got, "indices") else got.col,
    )
    assert np.array_equal(expected.data, got.data)  # exact, not close


def test_every_message_gets_scikit_learns_exact_row(vectorizers):
    rows = [SentenceTfidf(v) for v in vectorizers]
    texts = [fold(t) for t in TRAINING + OTHERS] + ODD
    assert len(texts) > 3000
    nonempty = 0
    for text in texts:
        for vectorizer, row in zip(vectorizers, rows, strict=True):
            expected = vectorizer.transform([text])
            got = row.transform([text])
            _same(expected, got)
            np.testing.assert_array_equal(expected.indptr, got.indptr)
            nonempty += got.nnz > 0
        expected = scipy.sparse.hstack([v.transform([text]) for v in vectorizers]).tocoo()
        got = stacked_row(rows, text)
        _same(expected, got)
        np.testing.assert_array_equal(expected.row, got.row)
    assert nonempty > 0.9 * 2 * len(texts)  # the comparison is of real rows, mostly


def test_several_texts_at_once(vectorizers):
    texts = [fold(t) for t in OTHERS[:50]] + ODD
    row = SentenceTfidf(vectorizers[0])
    expected, got = vectorizers[0].transform(texts), row.transform(texts)
    _same(expected, got)
    np.testing.assert_array_equal(expected.indptr, got.indptr)
    assert row.transform([]).shape == (0, row.width)


def test_a_freshly_fitted_vectorizer_is_refused():
    """Fitted in this process its IDF is float32 and scikit-learn computes in float32:
    training keeps scikit-learn's own transform."""
    featurizer = TfidfFeaturizer(
        TfidfFeaturizer.get_default_config(),
        LocalModelStorage(Path("/nonexistent")),
        Resource("tfidf"),
        ExecutionContext(GraphSchema({}), node_name="tfidf"),
    )
    fitted = featurizer._new_vectorizers()[1]
    fitted.fit(["esqueci a senha", "desanexar processo"])
    with pytest.raises(ValueError):
        SentenceTfidf(fitted)


def test_components_use_it_once_loaded_and_train_as_before(tmp_path):
    """Training features come from scikit-learn; the loaded featurizer and the
    refiner read the same features through SentenceTfidf."""
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), node_name="tfidf")
    config = {**TfidfFeaturizer.get_default_config(), "sentence_source": "text"}
    pairs = load_examples(ROOT / "data" / "nlu.yml")[:400]
    data = TrainingData(
        training_examples=[Message(data={"text": fold(t), "intent": i}) for t, i in pairs]
    )
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer

    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process(data.training_examples)
    trained = TfidfFeaturizer.create(config, storage, Resource("tfidf"), context)
    trained.train(data)
    assert trained._rows is None
    loaded = TfidfFeaturizer.load(config, storage, Resource("tfidf"), context)
    assert loaded._rows is not None
    for message in data.training_examples[:60]:
        expected = scipy.sparse.hstack(
            [v.transform([message.get("text")]) for v in loaded._vectorizers]
        ).tocoo()
        copy = Message(data=dict(message.data))
        loaded.process([copy])
        _, sentence = copy.get_sparse_features("text")
        _same(expected, sentence.features)

    refiner = IntentRefiner.create(
        IntentRefiner.get_default_config(), storage, Resource("refiner"), context
    )
    refiner.train(data)
    texts = [fold(t) for t in OTHERS[:40]]
    scores = refiner._classify(texts)
    rows = refiner._vectorizer.transform(texts)
    logits = np.asarray(rows @ refiner._coef_t) + refiner._intercept
    assert [c for c, _ in scores] == [refiner._state["classes"][i] for i in logits.argmax(axis=1)]

"""The custom Rasa NLU components, trained and reloaded on a tiny data set."""

from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa.components import LinearIntentClassifier, TfidfFeaturizer, TokenNormalizer

EXAMPLES = [
    ("esqueci minha senha", "senha"),
    ("nao lembro a senha do sei", "senha"),
    ("perdi a senha", "senha"),
    ("Esqueci a SENHA de acesso", "senha"),
    ("como desanexo processos", "desanexar"),
    ("separar processo anexado", "desanexar"),
    ("desanexar dois processos", "desanexar"),
    ("quero desanexar um processo", "desanexar"),
]


@pytest.fixture()
def storage(tmp_path):
    return LocalModelStorage(tmp_path)


def _context(name):
    return ExecutionContext(GraphSchema({}), node_name=name)


def _prepare(messages):
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    tokenizer.process(messages)
    TokenNormalizer().process(messages)
    return messages


def _training_data():
    messages = [Message(data={"text": t, "intent": i}) for t, i in EXAMPLES]
    return TrainingData(training_examples=_prepare(messages))


def test_normalizer_folds_tokens_but_keeps_offsets_and_text():
    message = _prepare([Message(data={"text": "Vc esqueceu a SENHA?"})])[0]
    tokens = message.get("text_tokens")
    assert [t.text for t in tokens] == ["voce", "esqueceu", "a", "senha"]
    assert message.get("text") == "Vc esqueceu a SENHA?"
    assert (tokens[3].start, tokens[3].end) == (14, 19)


def _train(storage):
    data = _training_data()
    feat_resource, clf_resource = Resource("tfidf"), Resource("linear")
    featurizer = TfidfFeaturizer.create(
        TfidfFeaturizer.get_default_config(), storage, feat_resource, _context("tfidf")
    )
    featurizer.train(data)
    featurizer.process_training_data(data)
    classifier = LinearIntentClassifier.create(
        LinearIntentClassifier.get_default_config(), storage, clf_resource, _context("linear")
    )
    classifier.train(data)
    return feat_resource, clf_resource


def _predict(featurizer, classifier, text):
    message = _prepare([Message(data={"text": text})])[0]
    featurizer.process([message])
    classifier.process([message])
    return message


def test_trained_components_reload_from_json_and_classify(storage):
    feat_resource, clf_resource = _train(storage)
    featurizer = TfidfFeaturizer.load(
        TfidfFeaturizer.get_default_config(), storage, feat_resource, _context("tfidf")
    )
    classifier = LinearIntentClassifier.load(
        LinearIntentClassifier.get_default_config(), storage, clf_resource, _context("linear")
    )
    message = _predict(featurizer, classifier, "esqeci a senha")  # typo on purpose
    assert message.get("intent")["name"] == "senha"
    ranking = message.get("intent_ranking")
    assert [r["name"] for r in ranking] == ["senha", "desanexar"]
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6
    assert (
        _predict(featurizer, classifier, "DESANEXAR processo").get("intent")["name"] == "desanexar"
    )
    # persisted as JSON and the coefficients as .npy, nothing pickled
    files = [f for f in Path(storage._storage_path).rglob("*") if f.is_file()]
    assert {f.suffix for f in files} == {".json", ".npy"}
    for npy in (f for f in files if f.suffix == ".npy"):
        assert np.load(npy, allow_pickle=False).dtype == np.float32


def test_reloaded_and_old_layout_models_give_the_trained_probabilities(storage):
    """The .npy round trip, and a model trained when the coefficients were in the JSON."""
    import json

    feat_resource, clf_resource = _train(storage)
    featurizer = TfidfFeaturizer.load(
        TfidfFeaturizer.get_default_config(), storage, feat_resource, _context("tfidf")
    )
    config = LinearIntentClassifier.get_default_config()
    reloaded = LinearIntentClassifier.load(config, storage, clf_resource, _context("linear"))
    with storage.write_to(clf_resource) as model_dir:  # rewrite it in the old layout
        state = json.loads((Path(model_dir) / "linear.json").read_text())
        npy = Path(model_dir) / "coef.npy"
        state["coef"] = np.load(npy).astype(float).tolist()
        npy.unlink()
        (Path(model_dir) / "linear.json").write_text(json.dumps(state))
    old = LinearIntentClassifier.load(config, storage, clf_resource, _context("linear"))
    for text in ("esqeci a senha", "DESANEXAR processo", "bom dia"):
        rankings = [_predict(featurizer, c, text).get("intent_ranking") for c in (reloaded, old)]
        assert rankings[0] == rankings[1] and rankings[0]


def test_blend_averages_with_the_earlier_ranking(storage):
    _, clf_resource = _train(storage)
    config = {**LinearIntentClassifier.get_default_config(), "blend_weight": 0.5}
    classifier = LinearIntentClassifier.load(config, storage, clf_resource, _context("linear"))
    message = Message(
        data={"text": "x", "intent_ranking": [{"name": "desanexar", "confidence": 1.0}]}
    )
    blended = classifier._blend(
        np.array([1.0, 0.0])
        if classifier._state["classes"][0] == "senha"
        else np.array([0.0, 1.0]),
        message,
    )
    by_name = dict(zip(classifier._state["classes"], blended, strict=True))
    assert by_name == pytest.approx({"senha": 0.5, "desanexar": 0.5})


def test_untrained_classifier_sets_no_intent(storage):
    classifier = LinearIntentClassifier.create(
        LinearIntentClassifier.get_default_config(), storage, Resource("x"), _context("x")
    )
    message = Message(data={"text": "oi"})
    classifier.process([message])
    assert message.get("intent")["name"] is None


def test_probabilities_equal_the_dense_softmax_for_any_sparse_layout(storage):
    """Row picking gives the dense softmax(x . W + b), duplicates included."""
    import scipy.sparse

    _, clf_resource = _train(storage)
    classifier = LinearIntentClassifier.load(
        LinearIntentClassifier.get_default_config(), storage, clf_resource, _context("linear")
    )
    coef = np.asarray(classifier._state["coef"])
    intercept = np.asarray(classifier._state["intercept"])
    width = coef.shape[1]
    rng = np.random.default_rng(7)
    cols = rng.choice(width, size=min(12, width), replace=False)
    cols = np.concatenate([cols, cols[:3]])  # COO duplicates are summed
    vals = rng.random(len(cols))
    coo = scipy.sparse.coo_matrix((vals, (np.zeros(len(cols), int), cols)), shape=(1, width))

    def softmax(x):
        e = np.exp(x - x.max())
        return e / e.sum()

    expected = softmax(coo.toarray()[0] @ coef.T + intercept)
    assert classifier._probabilities(coo) == pytest.approx(expected, rel=1e-5)
    two_rows = scipy.sparse.vstack([coo, coo])  # token rows add up like one sentence
    assert classifier._probabilities(two_rows) == pytest.approx(
        softmax(2 * coo.toarray()[0] @ coef.T + intercept), rel=1e-5
    )


def test_features_are_the_sentence_features_rasa_would_combine(storage):
    """Same columns, same order as Message.get_sparse_features, sequences left out."""
    import scipy.sparse
    from rasa.shared.nlu.training_data.features import Features

    feat_resource, _ = _train(storage)
    featurizer = TfidfFeaturizer.load(
        TfidfFeaturizer.get_default_config(), storage, feat_resource, _context("tfidf")
    )
    message = _prepare([Message(data={"text": "esqueci a senha do sei"})])[0]
    featurizer.process([message])
    extra = scipy.sparse.coo_matrix(np.array([[0.0, 3.0, 0.0, 5.0]]))
    message.add_features(Features(extra, "sentence", "text", "outro"))
    message.add_features(
        Features(scipy.sparse.coo_matrix(np.ones((5, 2))), "sequence", "text", "outro")
    )
    message.add_features(
        Features(scipy.sparse.coo_matrix(np.ones((1, 3))), "sentence", "intent", "outro")
    )
    _, expected = message.get_sparse_features("text")
    ours = LinearIntentClassifier._features(message)
    assert ours.shape == expected.features.shape
    assert ours.shape[1] > extra.shape[1]  # TF-IDF columns first, then the extra ones
    assert (ours != scipy.sparse.csr_matrix(expected.features)).nnz == 0
    assert ours[0, -3] == 3.0 and ours[0, -1] == 5.0

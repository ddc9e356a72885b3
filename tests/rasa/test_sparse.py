"""hstack_coo builds, entry for entry, the matrix scipy.sparse.hstack builds; Rasa's
features of real messages combine to the same matrices with the patch."""

import numpy as np
import pytest
import scipy.sparse
from conftest import MODEL

from bot.rasa import patches
from bot.rasa.sparse import hstack_coo


def _random_coo(rng, rows, cols, dtype, density=0.2):
    dense = (rng.random((rows, cols)) < density) * rng.integers(1, 5, (rows, cols))
    matrix = scipy.sparse.coo_matrix(dense.astype(dtype))
    order = rng.permutation(matrix.nnz)  # entries out of order, as featurizers may leave them
    return scipy.sparse.coo_matrix(
        (matrix.data[order], (matrix.row[order], matrix.col[order])), shape=matrix.shape
    )


def _same(expected, got):
    assert type(expected) is type(got)
    assert expected.shape == got.shape and expected.dtype == got.dtype
    for name in (
        ("row", "col", "data") if hasattr(expected, "row") else ("indptr", "indices", "data")
    ):
        a, b = getattr(expected, name), getattr(got, name)
        assert a.dtype == b.dtype and np.array_equal(a, b), name


@pytest.mark.parametrize("rows", [1, 3])
@pytest.mark.parametrize(
    "dtypes",
    [(np.float64, np.int64), (np.float32, np.float64), (np.int64, np.int64, np.float64)],
)
def test_the_same_matrix_as_scipy(rows, dtypes):
    rng = np.random.default_rng(17)
    for _ in range(30):
        blocks = [_random_coo(rng, rows, int(rng.integers(0, 40)), d) for d in dtypes]
        expected = scipy.sparse.hstack(blocks)
        _same(expected, hstack_coo(blocks))
        _same(scipy.sparse.hstack(blocks, format="csr"), hstack_coo(blocks).tocsr())


def test_blocks_that_do_not_fit_are_refused():
    one = scipy.sparse.coo_matrix(np.ones((1, 3)))
    with pytest.raises(ValueError):
        hstack_coo([one, scipy.sparse.coo_matrix(np.ones((2, 3)))])
    with pytest.raises(ValueError):
        hstack_coo([one, scipy.sparse.csr_matrix(np.ones((1, 3)))])


def test_rasas_features_of_real_messages_combine_to_the_same_matrices(monkeypatch):
    """Every combination Rasa makes while parsing held-out messages with the trained
    model: the patched one equals Rasa's own; a mismatch still raises Rasa's error."""
    import asyncio
    import copy

    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.features import Features

    original = patches._originals.get(
        "_combine_sparse_features", Features.__dict__["_combine_sparse_features"]
    )
    seen = []

    def both(self, other):
        ours = copy.copy(self)
        patches._combine_sparse_features(ours, other)
        original(self, other)
        _same(self.features, ours.features)
        seen.append(self.features.shape)

    monkeypatch.setattr(Features, "_combine_sparse_features", both)
    agent = Agent.load(str(MODEL))
    texts = ["esqueci a snha do sei", "quero colocar mais um setor no perfil dele", "oi", "?"]

    async def parse():
        for text in texts:
            await agent.parse_message(text)

    asyncio.run(parse())
    assert len(seen) >= 2 * len(texts)  # sequence and sentence, every message
    assert all(shape[1] > 1000 for shape in seen)


def test_features_that_do_not_fit_still_get_rasas_error():
    from rasa.shared.nlu.training_data.features import Features

    with pytest.raises(ValueError, match="sequence dimensions"):
        first = Features(scipy.sparse.coo_matrix(np.ones((2, 3))), "sequence", "text", "x")
        patches._combine_sparse_features(
            first, Features(scipy.sparse.coo_matrix(np.ones((3, 3))), "sequence", "text", "y")
        )

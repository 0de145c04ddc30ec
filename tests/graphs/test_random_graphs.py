"""Graph generators: the near-clique generator's values and its errors."""
import numpy as np
import pytest

from verify.errors import InputError
from verify.graphs.random_graphs import near_clique


@pytest.mark.parametrize("n,drop,seed", [(2, 0, 0), (6, 4, 1), (12, 66, 2), (30, 40, 3)])
def test_near_clique_drops_exactly_the_asked_edges_and_tags_degrees(n, drop, seed):
    a, x = near_clique(n, drop, seed, dim=n + 3)
    assert np.array_equal(a, a.T) and np.all(np.diag(a) == 0) and set(np.unique(a)) <= {0.0, 1.0}
    assert int(a.sum()) // 2 == n * (n - 1) // 2 - drop
    assert x.shape == (n, n + 3) and np.array_equal(np.argmax(x, axis=1), a.sum(axis=1).astype(int))
    b, y = near_clique(n, drop, seed, dim=n + 3)
    assert np.array_equal(a, b) and np.array_equal(x, y)          # seeded


@pytest.mark.parametrize("args,msg", [((1, 0, 0), "n must be >= 2"), ((4, 7, 0), "drop must be in"),
                                      ((4, -1, 0), "drop must be in"), ((4, 0, 0, 3), "dim must be >= n")])
def test_near_clique_rejects_bad_arguments(args, msg):
    with pytest.raises(InputError, match=msg):
        near_clique(*args)

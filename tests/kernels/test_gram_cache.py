"""The content-addressed cache of Grams and CV scores (verify.kernels.cache)."""
import copy

import numpy as np

from verify.graphs import load_dataset
from verify.kernels.cache import Cache, gntk_grams_cached, graphs_digest
from verify.kernels.gntk import gntk_grams

GRAPHS = load_dataset("mutag")[:30]


def test_cached_grams_equal_fresh_ones_bit_for_bit_and_are_read_back(tmp_path):
    cache = Cache(tmp_path)
    got, keys = gntk_grams_cached(GRAPHS, (1, 3), 1, "degree", "jk", "official", cache)
    fresh = gntk_grams(GRAPHS, (1, 3), 1, "degree", "jk", "official")
    assert all(np.array_equal(got[d], fresh[d]) for d in (1, 3)) and cache.misses == 2
    again, keys2 = gntk_grams_cached(GRAPHS, (1, 3), 1, "degree", "jk", "official", Cache(tmp_path))
    assert keys2 == keys and all(np.array_equal(again[d], fresh[d]) for d in (1, 3))
    assert cache.path("gram", keys[3]).with_suffix(".json").read_text().count('"blocks": 3') == 1
    # a partial entry set: only the missing depth is computed, from the same pass (depth 3)
    cache.path("gram", keys[1]).unlink()
    part = Cache(tmp_path)
    third, _ = gntk_grams_cached(GRAPHS, (1, 3), 1, "degree", "jk", "official", part)
    assert part.hits == 1 and part.misses == 1 and np.array_equal(third[1], fresh[1])


def test_keys_follow_content_and_options(tmp_path):
    cache = Cache(tmp_path)
    _, k1 = gntk_grams_cached(GRAPHS[:5], (1,), 1, "uniform", "jk", "official", cache)
    _, k2 = gntk_grams_cached(GRAPHS[:5], (1,), 1, "degree", "jk", "official", cache)
    looped = copy.copy(GRAPHS[0])
    looped.loop_weight = np.r_[2, np.zeros(looped.n - 1, dtype=np.int64)]
    assert graphs_digest([looped] + GRAPHS[1:5]) != graphs_digest(GRAPHS[:5])
    assert graphs_digest(copy.deepcopy(GRAPHS[:5])) == graphs_digest(GRAPHS[:5])
    _, k3 = gntk_grams_cached([looped] + GRAPHS[1:5], (1,), 1, "uniform", "jk", "official", cache)
    assert len({k1[1], k2[1], k3[1]}) == 3


def test_unreadable_entry_is_a_miss_and_no_root_stores_nothing(tmp_path):
    cache = Cache(tmp_path)
    cache.put("cv", "ab" * 32, np.arange(3.0), {"what": "test"})
    assert np.array_equal(cache.get("cv", "ab" * 32), [0.0, 1.0, 2.0])
    cache.path("cv", "ab" * 32).write_bytes(b"garbage")
    assert cache.get("cv", "ab" * 32) is None
    off = Cache(None)
    assert off.put("cv", "cd" * 32, np.zeros(2)) is None and off.get("cv", "cd" * 32) is None

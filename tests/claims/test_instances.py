"""Every structured generator satisfies its assumption, checked exactly, for any raw parameters."""
import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verify import Claim
from verify.claims.instances import (
    build_value,
    instance_valid,
    n_params,
    random_instance,
    satisfies,
)

CASES = [
    (["symmetric"], (3, 3)),
    (["psd"], (3, 3)),
    (["pd"], (2, 2)),
    (["invertible"], (3, 3)),
    (["full_rank"], (2, 4)),
    (["full_rank"], (4, 2)),
    (["rank_deficient"], (3, 3)),
    (["rank_deficient"], (2, 4)),
    (["orthogonal"], (3, 3)),
    (["projector"], (3, 3)),
    (["nonnegative"], (2, 3)),
    (["positive"], (2, 2)),
    (["psd", "nonnegative"], (3, 3)),
    (["symmetric", "nonnegative"], (2, 2)),
    (["nonzero"], (2, 2)),
    (["nsd"], (3, 3)),
    (["nd"], (2, 2)),
    (["idempotent"], (3, 3)),
    (["nilpotent"], (3, 3)),
    (["idempotent", "symmetric"], (3, 3)),
    (["projector", "positive"], (2, 2)),
    (["nilpotent", "nonnegative"], (3, 3)),
    (["pd", "positive"], (2, 2)),
    (["symmetric", "rank_deficient"], (3, 3)),
    (["idempotent", "rank_deficient"], (3, 3)),
]


@pytest.mark.parametrize("assume,shape", CASES, ids=["+".join(a) + f"{s}" for a, s in CASES])
@settings(max_examples=15)
@given(data=st.data())
def test_generators_satisfy_assumptions(assume, shape, data):
    c = Claim("c", "A == A", dims={}, vars={"A": {"shape": list(shape), "assume": assume}})
    var = c.vars["A"]
    n = n_params(var, shape)
    raw = data.draw(
        st.lists(st.fractions(min_value=-4, max_value=4, max_denominator=5), min_size=n, max_size=n)
    )
    value = build_value(var, shape, raw)
    assert len(value) == shape[0] and len(value[0]) == shape[1]
    assert satisfies(var, value)


def test_satisfies_rejects_violations():
    c = Claim("c", "A == A", dims={}, vars={"A": {"shape": [2, 2], "assume": ["orthogonal"]}})
    assert not satisfies(c.vars["A"], [[Fraction(1), Fraction(1)], [Fraction(0), Fraction(1)]])
    c2 = Claim("c", "A == A", dims={}, vars={"A": {"shape": [2, 2], "assume": ["psd"]}})
    assert not satisfies(c2.vars["A"], [[Fraction(1), Fraction(0)], [Fraction(0), Fraction(-1)]])


def test_random_instances_are_reproducible():
    c = Claim(
        "c", "tr(A) == tr(A)", dims={"n": [1, 4]}, vars={"A": {"shape": ["n", "n"], "assume": ["symmetric"]}}
    )
    a = [random_instance(c, random.Random(5), i) for i in range(6)]
    b = [random_instance(c, random.Random(5), i) for i in range(6)]
    assert [x.values for x in a] == [x.values for x in b]
    assert all(instance_valid(c, x) for x in a)

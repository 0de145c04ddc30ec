import pytest

from verify import Claim
from verify.errors import ClaimError, ResourceLimitError


def mk(statement="A == A", dims=None, vars=None, given=None, expect=None):
    return Claim("c", statement, dims=dims if dims is not None else {"n": 2},
                 vars=vars if vars is not None else {"A": {"shape": ["n", "n"]}}, given=given, expect=expect)


def test_valid_claim_fields():
    c = mk(dims={"m": [1, 4], "k": 3}, vars={"A": {"shape": ["m", "k"], "assume": ["full_rank"]}})
    assert c.dims == {"m": (1, 4), "k": 3}
    assert c.vars["A"].shape == ("m", "k") and c.vars["A"].assume == ("full_rank",)


@pytest.mark.parametrize("vars,fragment", [
    ({"A": {"shape": ["n", "n"], "assume": ["pd", "rank_deficient"]}}, "contradictory"),
    ({"A": {"shape": ["n", "n"], "assume": ["invertible", "rank_deficient"]}}, "contradictory"),
    ({"A": {"shape": ["n", "n"], "assume": ["orthogonal", "psd"]}}, "contradictory"),
    ({"A": {"shape": ["n", "n"], "assume": ["wobbly"]}}, "unknown assumption"),
    ({"A": {"shape": ["n", 3], "assume": ["symmetric"]}}, "square"),
    ({"A": {"assume": ["psd"]}}, "needs a matrix"),
    ({"A": {"shape": ["n", "q"]}}, "unknown dimension"),
    ({"A": {"shape": ["n"]}}, "[rows, cols]"),
    ({"A": {"shape": ["n", "n"], "colour": "red"}}, "unknown field"),
    ({"__A": {"shape": ["n", "n"]}}, "invalid variable name"),
    ({"A": {"shape": [0, 2]}}, "positive"),
    ({"vec": {}}, "reserved"),
])
def test_bad_variables(vars, fragment):
    with pytest.raises(ClaimError, match=fragment):
        mk(vars=vars)


def test_unknown_name_in_statement_and_given():
    with pytest.raises(ClaimError, match="unknown name 'B'"):
        mk("A == B")
    with pytest.raises(ClaimError, match="unknown name 'z'"):
        mk(given=["z >= 0"])


def test_dims_validation_and_resource_limit():
    with pytest.raises(ClaimError, match="lo <= hi"):
        mk(dims={"n": [3, 2]})
    with pytest.raises(ResourceLimitError, match="too large"):
        mk(dims={"n": 200000})
    with pytest.raises(ResourceLimitError, match="too large"):
        mk(dims={"n": [1, 10**9]})
    with pytest.raises(ClaimError, match="int or"):
        mk(dims={"n": "big"})


def test_grad_with_respect_to_tied_entries_is_refused():
    with pytest.raises(ClaimError, match="structural assumption"):
        mk("grad(tr(A), A) == eye(n)", vars={"A": {"shape": ["n", "n"], "assume": ["symmetric"]}})


def test_expect_values():
    with pytest.raises(ClaimError, match="expect"):
        mk(expect="maybe")

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verify.errors import ClaimError
from verify.language.parser import parse_expression, parse_relation, unparse


def test_relation_parts_and_exact_literals():
    r = parse_relation("u**2 - u + 6/25 > 0.1")
    assert r.op == ">"
    assert r.rhs.value == Fraction(1, 10)
    nums = [n.value for n in r.lhs.walk() if n.op == "num"]
    assert Fraction(6, 25) in nums


def test_functions_and_transpose():
    r = parse_relation("vec(A @ X @ B) == kron(B.T, A) @ vec(X)")
    assert r.functions() == {"vec", "kron"}
    assert r.names() == {"A", "X", "B"}


@pytest.mark.parametrize("text,fragment", [
    ("__import__('os').system('x') == 0", "unknown function"),
    ("A.__class__ == A", "attribute"),
    ("A.shape == 1", "attribute"),
    ("(lambda: 1)() == 1", "unknown function"),
    ("[x for x in y] == 1", "not allowed"),
    ("x[0] == 1", "subscript"),
    ("'a' == 'a'", "literal"),
    ("a < b < c", "exactly one"),
    ("a + b", "relation"),
    ("a == b; import os", "single expression"),
    ("a == b\nb == c", "single expression"),
    ("open('f') == 1", "unknown function"),
    ("eval('1') == 1", "unknown function"),
    ("__x == 1", "invalid name"),
    ("grad(x, 2*y) == 1", "variable name"),
    ("kron(A) == A", "takes 2"),
    ("min(a) == a", "at least 2"),
    ("norm(A, 2) == 1", "takes 1"),
    ("f(x=1) == 1", "unknown function"),
    ("vec(x=A) == A", "positional"),
    ("1j == 1", "literal"),
    ("True == 1", "literal"),
    ("a is b", "not allowed"),
    ("a != b", "not allowed"),
    ("(" * 300 + "a" + ")" * 300 + " == a", "nested"),
    ("a == " + "1" * 60, "too long"),
    ("a == b +", "syntax error"),
])
def test_hostile_and_malformed_statements_are_one_line_errors(text, fragment):
    with pytest.raises(ClaimError) as exc:
        parse_relation(text)
    msg = str(exc.value)
    assert "\n" not in msg
    assert fragment in msg


def test_statement_length_limit():
    with pytest.raises(ClaimError, match="longer than"):
        parse_relation("a == " + " + ".join(["a"] * 1000))


names = st.sampled_from(["A", "B", "x", "y1"])
leaves = st.one_of(
    names,
    st.integers(0, 9).map(str),
    st.fractions(min_value=-5, max_value=5, max_denominator=7).map(
        lambda q: f"({q.numerator}/{q.denominator})"
    ),
)


@st.composite
def exprs(draw, depth=0):
    if depth > 3 or draw(st.booleans()):
        return draw(leaves)
    kind = draw(st.sampled_from(["+", "-", "*", "@", "T", "call", "neg"]))
    a = draw(exprs(depth + 1))
    if kind == "T":
        return f"({a}).T"
    if kind == "neg":
        return f"-({a})"
    if kind == "call":
        return f"{draw(st.sampled_from(['vec', 'tr', 'norm', 'sqrt']))}({a})"
    return f"({a}) {kind} ({draw(exprs(depth + 1))})"


@given(exprs())
def test_unparse_round_trips(text):
    node = parse_expression(text)
    assert parse_expression(unparse(node)) == node


def test_not_equal_is_a_given_condition_only():
    """``a != b`` in a given reads as norm(a - b) > 0 (text kept); as a statement it is an error."""
    rel = parse_relation("c != 0", what="given condition")
    assert (rel.op, rel.text) == (">", "c != 0")
    assert unparse(rel.lhs) == "norm(c - 0)" and rel.rhs.value == 0
    m = parse_relation("A @ B != B @ A", what="given condition")
    assert unparse(m.lhs) == "norm(A @ B - B @ A)"
    with pytest.raises(ClaimError, match="NotEq"):
        parse_relation("c != 0")

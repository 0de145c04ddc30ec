"""Property tests of the generic prover on random expressions (fixed seeds, reproducible).

* True pairs: a random expression in the fragment and a rewrite of it by known identities
  (transpose of a product, double transpose, distributivity, associativity, commutativity of +,
  scalars through products, cyclic trace, trace of a transpose, vec(XYZ) = (Zᵀ⊗X)vec(Y), the
  mixed product) must be proved, and exact evaluation on explicit shapes must agree.
* Mutations (a transpose dropped, kron factors swapped, composite-leg order swapped, a term
  dropped, a coefficient changed): whenever exact evaluation shows the two sides differ, the
  prover must not say proved (soundness), and most mutations must indeed differ.
"""
from __future__ import annotations

import random
from fractions import Fraction

import pytest

from verify import Claim
from verify.claims.instances import (
    instance_valid,
    make_instance,
    n_params,
    random_raw,
    shape_of,
)
from verify.engines.generic import prove_generic
from verify.engines.generic.certificate import claim_side
from verify.language.parser import Node, parse_expression, unparse

DIMS = {"a": [1, 2], "b": [1, 2]}
VARS = {"A": ["a", "a"], "B": ["a", "b"], "C": ["b", "a"], "D": ["b", "b"], "E": ["a", "a"], "F": ["b", "b"]}
BY_SHAPE: dict[tuple[str, str], list[str]] = {}
for _n, _s in VARS.items():
    BY_SHAPE.setdefault(tuple(_s), []).append(_n)


def rand_expr(rng: random.Random, r: str, c: str, depth: int) -> str:
    if depth <= 0 or rng.random() < 0.25:
        if rng.random() < 0.7:
            return rng.choice(BY_SHAPE[(r, c)])
        return f"{rng.choice(BY_SHAPE[(c, r)])}.T"
    k = rng.random()
    if k < 0.45:
        mid = rng.choice("ab")
        return f"({rand_expr(rng, r, mid, depth - 1)}) @ ({rand_expr(rng, mid, c, depth - 1)})"
    if k < 0.65:
        return f"({rand_expr(rng, r, c, depth - 1)}) + ({rand_expr(rng, r, c, depth - 1)})"
    if k < 0.8:
        return f"({rand_expr(rng, c, r, depth - 1)}).T"
    return f"{rng.choice([2, 3, -1, Fraction(1, 2)])} * ({rand_expr(rng, r, c, depth - 1)})"


def rand_statement(rng: random.Random) -> str:
    kind = rng.random()
    r, c = rng.choice("ab"), rng.choice("ab")
    if kind < 0.5:
        return rand_expr(rng, r, c, 3)
    if kind < 0.7:
        return f"tr({rand_expr(rng, r, r, 3)})"
    if kind < 0.85:
        left, mid, right = rand_expr(rng, r, "a", 1), rand_expr(rng, "a", "b", 1), rand_expr(rng, "b", c, 1)
        return f"vec(({left}) @ ({mid}) @ ({right}))"
    return (f"kron({rand_expr(rng, r, 'a', 1)}, {rand_expr(rng, c, 'b', 1)}) @ "
            f"kron({rand_expr(rng, 'a', 'b', 1)}, {rand_expr(rng, 'b', 'a', 1)})")


def N(op, *args, value=None) -> Node:
    return Node(op, tuple(args), value)


def rewrite_once(n: Node, rng: random.Random) -> Node:
    """One identity applied at the root if it matches (else n unchanged)."""
    op, a = n.op, n.args
    if op == "T" and a[0].op == "matmul":
        return N("matmul", N("T", a[0].args[1]), N("T", a[0].args[0]))
    if op == "T" and a[0].op == "T":
        return a[0].args[0]
    if op == "T" and a[0].op == "add":
        return N("add", N("T", a[0].args[0]), N("T", a[0].args[1]))
    if op == "matmul" and a[1].op == "add":
        return N("add", N("matmul", a[0], a[1].args[0]), N("matmul", a[0], a[1].args[1]))
    if op == "matmul" and a[0].op == "matmul":
        return N("matmul", a[0].args[0], N("matmul", a[0].args[1], a[1]))
    if op == "matmul" and a[0].op == "mul":
        return N("mul", a[0].args[0], N("matmul", a[0].args[1], a[1]))
    if op == "add":
        return N("add", a[1], a[0])
    if op == "call" and n.value == "tr" and a[0].op == "matmul":
        return N("call", N("matmul", a[0].args[1], a[0].args[0]), value="tr")
    if op == "call" and n.value == "tr" and a[0].op == "T":
        return N("call", a[0].args[0], value="tr")
    if op == "call" and n.value == "vec" and a[0].op == "matmul" and a[0].args[0].op == "matmul":
        x, y, z = a[0].args[0].args[0], a[0].args[0].args[1], a[0].args[1]
        return N("matmul", N("call", N("T", z), x, value="kron"), N("call", y, value="vec"))
    if op == "matmul" and all(s.op == "call" and s.value == "kron" for s in a):
        (p, q), (r, s) = a[0].args, a[1].args
        return N("call", N("matmul", p, r), N("matmul", q, s), value="kron")
    return n


def rewrite(n: Node, rng: random.Random, p: float = 0.5) -> Node:
    n = Node(n.op, tuple(rewrite(x, rng, p) for x in n.args), n.value)
    return rewrite_once(n, rng) if rng.random() < p else n


def evaluate_both(statement: str, seed: int) -> list[bool]:
    """Exact evaluation of both sides at (a, b) = (3, 4) and (4, 3), outside the declared ranges: equal at
    each?"""
    claim = Claim("p", statement, DIMS, {k: {"shape": v} for k, v in VARS.items()})
    rng = random.Random(seed)
    out = []
    for dims in ({"a": 3, "b": 4}, {"a": 4, "b": 3}):
        raw = {n: random_raw(rng, n_params(v, shape_of(v, dims)), "integer") for n, v in claim.vars.items()}
        inst = make_instance(claim, dims, raw)
        assert instance_valid(claim, inst)
        lhs, rhs = claim_side(claim, "lhs", inst), claim_side(claim, "rhs", inst)
        out.append(lhs.shape == rhs.shape and all(x == y for x, y in zip(lhs.flat, rhs.flat)))
    return out


def make_claim(lhs: str, rhs: str) -> Claim:
    return Claim("p", f"{lhs} == {rhs}", DIMS, {k: {"shape": v} for k, v in VARS.items()})


@pytest.mark.parametrize("block", range(4))
def test_rewritten_expressions_are_proved_and_agree_numerically(block):
    for seed in range(block * 10, block * 10 + 10):
        rng = random.Random(seed)
        lhs = parse_expression(rand_statement(rng))
        rhs = lhs
        for _ in range(3):
            rhs = rewrite(rhs, rng)
        statement = f"{unparse(lhs)} == {unparse(rhs)}"
        g = prove_generic(make_claim(unparse(lhs), unparse(rhs)))
        assert g.proved, (seed, statement, g.reason)
        assert all(evaluate_both(statement, seed)), (seed, statement)


def mutate(n: Node, rng: random.Random, kind: str) -> Node | None:
    """Apply one mutation of the given kind at a random matching node (None if nowhere)."""
    spots = []

    def visit(x: Node, path: tuple) -> None:
        if kind == "drop_transpose" and x.op == "T":
            spots.append(path)
        if kind == "swap_kron" and x.op == "call" and x.value == "kron":
            spots.append(path)
        if kind == "swap_matmul" and x.op == "matmul":
            spots.append(path)
        if kind == "swap_vec_legs" and x.op == "call" and x.value == "vec":
            spots.append(path)
        if kind in ("drop_term", "change_coefficient") and x.op == "add":
            spots.append(path)
        for i, y in enumerate(x.args):
            visit(y, path + (i,))

    visit(n, ())
    if not spots:
        return None
    target = rng.choice(spots)

    def apply(x: Node, path: tuple) -> Node:
        if path:
            i = path[0]
            args = list(x.args)
            args[i] = apply(args[i], path[1:])
            return Node(x.op, tuple(args), x.value)
        if kind == "drop_transpose":
            return x.args[0]
        if kind == "swap_kron":
            return Node("call", (x.args[1], x.args[0]), "kron")
        if kind == "swap_matmul":
            return Node("matmul", (x.args[1], x.args[0]), x.value)
        if kind == "swap_vec_legs":
            return Node("call", (Node("T", (x.args[0],)),), "vec")
        if kind == "drop_term":
            return x.args[0]
        return Node("add", (x.args[0], Node("mul", (Node("num", value=Fraction(2)), x.args[1]))))

    return apply(n, target)


SQUARE_VARS = {"A": ["a", "a"], "E": ["a", "a"]}


def square_statement(rng: random.Random) -> str:
    """All sizes a: every mutation keeps the shapes, so each can be evaluated."""
    def ex(d: int) -> str:
        if d <= 0 or rng.random() < 0.3:
            return rng.choice(["A", "E", "A.T", "E.T"])
        k = rng.random()
        if k < 0.5:
            return f"({ex(d - 1)}) @ ({ex(d - 1)})"
        if k < 0.75:
            return f"({ex(d - 1)}) + ({ex(d - 1)})"
        return f"({ex(d - 1)}).T"
    k = rng.random()
    if k < 0.4:
        return ex(3)
    if k < 0.7:
        return f"kron({ex(1)}, {ex(1)}) + kron({ex(1)}, {ex(1)})"
    return f"vec({ex(2)}) + vec({ex(1)})"


@pytest.mark.parametrize(
    "kind", ["drop_transpose", "swap_kron", "swap_vec_legs", "drop_term", "change_coefficient"]
)
def test_mutations_are_not_proved(kind):
    differ = tried = 0
    for seed in range(60):
        rng = random.Random(1000 + seed)
        lhs = parse_expression(square_statement(rng))
        rhs = mutate(rewrite(lhs, rng), rng, kind)
        if rhs is None:
            continue
        statement = f"{unparse(lhs)} == {unparse(rhs)}"
        claim = Claim("m", statement, {"a": [1, 4]}, {k: {"shape": v} for k, v in SQUARE_VARS.items()})
        rng2 = random.Random(seed)
        same = []
        for dims in ({"a": 2}, {"a": 3}):
            raw = {
                n: random_raw(rng2, n_params(v, shape_of(v, dims)), "integer") for n, v in claim.vars.items()
            }
            inst = make_instance(claim, dims, raw)
            lv, rv = claim_side(claim, "lhs", inst), claim_side(claim, "rhs", inst)
            same.append(all(x == y for x, y in zip(lv.flat, rv.flat)))
        tried += 1
        if not all(same):
            differ += 1
            assert not prove_generic(claim).proved, (kind, statement)
        if tried >= 12:
            break
    assert tried >= 8 and differ >= tried * 2 // 3, (kind, tried, differ)

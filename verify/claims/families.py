"""Indexed families of variables and sums/products over an index, expanded for concrete sizes.

A family is declared once with the dimension that counts its members, and optionally the name of its
index for a per-member shape::

    [vars]
    W = { family = "H", shape = ["m", "m"] }                         # W[1] ... W[H], each m x m
    B = { family = "H", index = "l", shape = ["n+l", "n+l-1"] }     # B[l] is (n+l) x (n+l-1)

A statement uses ``sum(i, lo, hi, body)`` (the sum of body for i = lo, ..., hi) and
``prod(i, lo, hi, body)`` (the matrix product body(lo) @ body(lo+1) @ ... @ body(hi), in increasing
order; a scalar is a 1 x 1 matrix), whose bounds are integer expressions in dimensions and enclosing
indices, and ``W[i]`` for member i (counted from 1).

The checker never reasons about a symbolic H: a claim is split into one claim per value of the
dimensions its sums, indices and families depend on (every value of a finite scope; the sample
window of an unbounded one), each named ``name[H=3]``, with the family replaced by plain variables
``W_1, ..., W_H`` and each sum written out.  Each sub-claim's verdict is about that value only, so
``proved`` never reaches beyond the values actually decided.  An empty range (hi < lo) or an index
outside 1..H is an error of that sub-claim, never silently zero.
"""
from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any, Mapping

from ..errors import ClaimError
from ..language.parser import INDEXED, MAX_STATEMENT_CHARS, Node, parse_relation, unparse
from ..language.shapes import dim_expression, int_value
from .model import DimScope, _dim_scope

MAX_SUBCLAIMS = 12       # expansions of one claim (product of the values of its expansion dimensions)
MAX_TERMS = 64           # terms of one sum or factors of one product


def _is_family(spec: Any) -> bool:
    return isinstance(spec, Mapping) and "family" in spec


def needs_expansion(statement: str, given: list[str], vars_: Mapping[str, Any]) -> bool:
    """True when the claim uses sum/prod/W[i] or declares a family (checked on the parsed text)."""
    if any(_is_family(v) for v in vars_.values()):
        return True
    for i, text in enumerate([statement, *given]):
        rel = parse_relation(text, what="given condition" if i else "statement")
        for side in (rel.lhs, rel.rhs):
            if any(n.op in INDEXED or n.op == "index" for n in side.walk()):
                return True
    return False


def _family_specs(vars_: Mapping[str, Any], dims: Mapping[str, Any]) -> dict[str, dict]:
    out = {}
    for name, spec in vars_.items():
        if not _is_family(spec):
            continue
        extra = set(spec) - {"family", "index", "shape", "assume"}
        if extra:
            raise ClaimError(f"family {name}: unknown field {sorted(extra)[0]!r} "
                             "(use family, index, shape, assume)")
        count = spec["family"]
        if not isinstance(count, str) or count not in dims:
            raise ClaimError(f"family {name}: family = {count!r} must name a dimension "
                             "(the number of members)")
        index = spec.get("index")
        if index is not None and (not isinstance(index, str) or index in dims or index in vars_):
            raise ClaimError(f"family {name}: index = {index!r} must be a new name "
                             "(not a dimension or variable)")
        if "shape" not in spec:
            raise ClaimError(f"family {name}: members need a shape, like shape = [\"m\", \"m\"]")
        out[name] = dict(spec)
    return out


def _expansion_dims(rels, families: dict[str, dict], dims: Mapping[str, Any]) -> list[str]:
    """Dimensions that bounds, indices and family counts depend on (each is fixed per sub-claim)."""
    need: set[str] = {f["family"] for f in families.values()}
    for rel in rels:
        for side in (rel.lhs, rel.rhs):
            for n in side.walk():
                if n.op in INDEXED:
                    need |= n.args[0].names() | n.args[1].names()
                elif n.op == "index":
                    need |= n.args[0].names()
    return [d for d in dims if d in need]


def _scope_values(name: str, spec: Any) -> list[int]:
    s: DimScope = _dim_scope(name, spec)
    lo, hi = (s.lo, s.hi) if s.finite else s.sample
    return list(range(lo, hi + 1))  # type: ignore[arg-type]


def _expand(node: Node, env: dict[str, int], bound: set[str], families: dict[str, dict],
            plain: set[str]) -> Node:
    if node.op in INDEXED:
        i = node.value
        if i in env and i not in bound or i in plain or i in families:
            raise ClaimError(f"index {i!r} of {node.op} is already a dimension, variable or index")
        lo, hi = (int_value(a, env) for a in node.args[:2])
        if hi < lo:
            raise ClaimError(f"{unparse(node)!r} has an empty range {lo}..{hi} at {_at(env, bound)}")
        if hi - lo + 1 > MAX_TERMS:
            raise ClaimError(f"{unparse(node)!r} has {hi - lo + 1} terms at {_at(env, bound)}; "
                             f"at most {MAX_TERMS} are written out")
        terms = [_expand(node.args[2], {**env, i: v}, bound | {i}, families, plain)
                 for v in range(lo, hi + 1)]
        out = terms[0]
        for t in terms[1:]:
            out = Node(INDEXED[node.op], (out, t))
        return out
    if node.op == "index":
        fam = node.value
        if fam not in families:
            raise ClaimError(f"{fam}[...]: {fam!r} is not a family "
                             f"(declare {fam} = {{ family = \"H\", ... }})")
        k = int_value(node.args[0], env)
        count = env[families[fam]["family"]]
        if not 1 <= k <= count:
            raise ClaimError(f"{unparse(node)} = {fam}[{k}] is outside 1..{count} at {_at(env, bound)}")
        return Node("name", value=f"{fam}_{k}")
    if node.op == "name":
        if node.value in bound:
            return Node("num", value=Fraction(env[node.value]))
        if node.value in families:
            raise ClaimError(f"family {node.value!r} is used without an index; write {node.value}[i]")
        return node
    if not node.args:
        return node
    return Node(node.op, tuple(_expand(a, env, bound, families, plain) for a in node.args), node.value)


def _at(env: Mapping[str, int], bound: set[str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in env.items() if k not in bound) or "these sizes"


def _member_shape(spec: dict, fam: str, k: int, env: dict[str, int]) -> list[str | int]:
    """Shape of member k: the index (if named) replaced by k, dimensions fixed here by their value."""
    index = spec.get("index")
    shape = spec["shape"]
    if not isinstance(shape, (list, tuple)) or len(shape) != 2:
        raise ClaimError(f"family {fam}: shape must be [rows, cols]")
    out: list[str | int] = []
    for s in shape:
        if isinstance(s, bool) or not isinstance(s, (int, str)):
            raise ClaimError(f"family {fam}: shape entries are dim names, dim expressions or ints, got {s!r}")
        if isinstance(s, int):
            out.append(s)
            continue
        expr = dim_expression(s)
        local = {**env, **({index: k} if index else {})}
        if expr.names() <= set(local):
            v = int_value(expr, local)
            if v < 1:
                raise ClaimError(f"family {fam}: member {k} has shape entry {s!r} = {v}; "
                                 "sizes must be positive")
            out.append(v)
        else:
            out.append(unparse(_expand(expr, local, set(local), {}, set())))
    return out


def expand_claim(name: str, statement: str, given: list[str], dims: Mapping[str, Any],
                 vars_: Mapping[str, Any]) -> list[tuple[str, str, list[str], dict, dict, dict]]:
    """The sub-claims (name, statement, given, dims, vars, fixed) of a claim with sums or families;
    ``fixed`` holds the expansion dimensions' values.

    One per assignment of the expansion dimensions (in scope order); those dimensions are fixed in the
    sub-claim, the others keep their scope.  ``ClaimError`` if the claim is ill-formed at all sizes.
    """
    families = _family_specs(vars_, dims)
    plain = {k for k in vars_ if k not in families}
    rels = [parse_relation(statement), *(parse_relation(g, what="given condition") for g in given)]
    exp_dims = _expansion_dims(rels, families, dims)
    values = [_scope_values(d, dims[d]) for d in exp_dims]
    combos = list(itertools.product(*values))
    if len(combos) > MAX_SUBCLAIMS:
        raise ClaimError(f"{' x '.join(exp_dims)} take {len(combos)} values together; sums and families are "
                         f"written out for at most {MAX_SUBCLAIMS} (narrow the scope)")
    out = []
    for combo in combos:
        env = dict(zip(exp_dims, combo))
        texts = []
        for rel in rels:
            lhs, rhs = (_expand(s, env, set(), families, plain) for s in (rel.lhs, rel.rhs))
            texts.append(f"{unparse(lhs)} {rel.op} {unparse(rhs)}")
        if len(texts[0]) > MAX_STATEMENT_CHARS:
            raise ClaimError(f"written out at {_at(env, set())}, the statement is longer than "
                             f"{MAX_STATEMENT_CHARS} characters; narrow the scope")
        sub_vars: dict[str, Any] = {k: v for k, v in vars_.items() if k not in families}
        for fam, spec in families.items():
            for k in range(1, env[spec["family"]] + 1):
                member = f"{fam}_{k}"
                if member in sub_vars or member in dims:
                    raise ClaimError(f"family {fam}: member name {member!r} is already declared")
                sub_vars[member] = {"shape": _member_shape(spec, fam, k, env),
                                    "assume": spec.get("assume", [])}
        sub_dims = {**dims, **env}
        label = ", ".join(f"{k}={v}" for k, v in env.items())
        out.append((f"{name}[{label}]" if label else name, texts[0], texts[1:], sub_dims, sub_vars, env))
    return out

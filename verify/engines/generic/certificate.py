"""The certificate of a generic proof, and an independent re-check of it.

A certificate (plain JSON) holds the normal form of both sides (terms: exact coefficient, slot
paths, vector paths, cycles), the leg structure, the node labels with their sizes and assumptions,
and the rewriting trace (which assumption rule fired how often).  ``recheck`` verifies it twice:

1. *re-derivation*: the normal forms are computed again from the claim and must equal the stored
   ones, and the two stored sides must be equal term by term;
2. *evaluation*: on explicit shapes (by default every dimension 5 or 7, outside the small ranges
   the catalogue samples; 3 or 4 under the inverse of a Kronecker product; other assignments where
   the claim is undefined there) and exact rational values satisfying the assumptions where both
   sides are defined, every stored term is evaluated from its paths, cycles and chains alone and
   the sum must equal the claim's side evaluated by the ordinary exact evaluator
   (``verify.engines.evaluate``, SymPy rationals).  A normaliser
   bug therefore shows as a failed re-check, never as a silent wrong verdict.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from ...claims.instances import (
    instance_valid,
    make_instance,
    n_params,
    random_raw,
    shape_of,
)
from ...claims.model import Claim
from ...language.parser import Node
from . import poly
from .normal import Key, NormalForm, Word, nf_str

SCOPE = "all dimensions"
ENGINE = "generic normal form (tensor networks with symbolic dimensions)"


def nf_to_json(nf: NormalForm) -> dict[str, Any]:
    terms = []
    for key, c in nf.sorted_terms():
        slot_paths, vec_paths, cycles = key[:3]
        term = {"coef": poly.to_json(c),
                "slot_paths": [[a, b, _word_json(w)] for a, b, w in slot_paths],
                "vector_paths": [_word_json(w) for w in vec_paths],
                "cycles": [_word_json(w) for w in cycles]}
        if len(key) == 4:
            jdims, chains = key[3]
            term["junctions"] = list(jdims)
            term["chains"] = [[list(a), _word_json(w), list(b)] for a, w, b in chains]
        terms.append(term)
    return {"text": nf_str(nf), "rows": list(nf.rowdims), "cols": list(nf.coldims), "terms": terms}


def _word_json(w: Word) -> list:
    return [[lab, bool(t)] for lab, t in w]


def _word(data: list) -> Word:
    return tuple((str(lab), bool(t)) for lab, t in data)


def nf_from_json(data: dict[str, Any]) -> NormalForm:
    terms: dict[Key, poly.Poly] = {}
    for t in data["terms"]:
        key: Key = (tuple((int(a), int(b), _word(w)) for a, b, w in t["slot_paths"]),
                    tuple(_word(w) for w in t["vector_paths"]), tuple(_word(w) for w in t["cycles"]))
        if "junctions" in t:
            net = (tuple(str(d) for d in t["junctions"]),
                   tuple(((int(a[0]), int(a[1])), _word(w), (int(b[0]), int(b[1])))
                         for a, w, b in t["chains"]))
            key = (*key, net)
        terms[key] = poly.from_json(t["coef"])
    return NormalForm(tuple(data["rows"]), tuple(data["cols"]), terms)


@dataclass
class RecheckReport:
    ok: bool
    rederived: bool
    shapes: list[dict[str, int]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "rederived": self.rederived, "shapes": self.shapes, "problems": self.problems}


def recheck_sizes(claim: Claim) -> tuple[int, int]:
    """The two sizes the re-check uses: 5 and 7, outside the ranges the catalogue samples; 3 and 4 for
    a claim with the inverse of a Kronecker product (the exact inverse of a 35 x 35 matrix takes SymPy
    minutes)."""
    for side in (claim.relation.lhs, claim.relation.rhs):
        for n in side.walk():
            if n.op == "call" and n.value == "inv" and any(
                    m.op == "call" and m.value == "kron" for m in n.args[0].walk()):
                return 3, 4
    return 5, 7


def default_shapes(claim: Claim) -> list[dict[str, int]]:
    """Two assignments outside the sampled ranges: dims alternate 5, 7, ... and 7, 5, ... (sizes from
    :func:`recheck_sizes`)."""
    a, b = recheck_sizes(claim)
    names = list(claim.dims)
    return [{n: (a, b)[i % 2] for i, n in enumerate(names)}, {n: (b, a)[i % 2] for i, n in enumerate(names)}]


def recheck(claim: Claim, cert: dict[str, Any], shapes: list[dict[str, int]] | None = None,
            seed: int = 0) -> RecheckReport:
    """Re-derive and re-evaluate a certificate (see the module docstring)."""
    from . import prove_generic

    rep = RecheckReport(ok=False, rederived=False)
    again = prove_generic(claim)
    lhs, rhs = nf_from_json(cert["lhs"]), nf_from_json(cert["rhs"])
    if again.certificate is None:
        rep.problems.append(f"re-derivation gave {again.status}: {again.reason}")
    else:
        rep.rederived = (again.certificate["lhs"]["terms"] == cert["lhs"]["terms"]
                         and again.certificate["rhs"]["terms"] == cert["rhs"]["terms"])
        if not rep.rederived:
            rep.problems.append("the re-derived normal forms differ from the certificate")
    if lhs != rhs:
        rep.problems.append("the certificate's two normal forms are not equal")
    rng = random.Random(seed)
    wanted = len(shapes) if shapes is not None else 2
    missing: list[str] = []
    for dims in shapes if shapes is not None else default_shapes(claim) + spare_shapes(claim):
        if len(rep.shapes) == wanted:
            break
        found = _defined_instance(claim, dims, rng)
        if found is None:
            missing.append(f"no instance satisfying the assumptions where the claim is defined at "
                           f"dims {dims}")
            continue
        inst, sides = found
        for side, nf in (("lhs", lhs), ("rhs", rhs)):
            want = sides[side]
            got = evaluate_nf(nf, cert["labels"], inst.dims, inst.values)
            if got.shape != want.shape or any(a != b for a, b in zip(got.flat, want.flat)):
                rep.problems.append(
                    f"{side}: the normal form's value differs from the claim's at dims {dims}"
                )
        rep.shapes.append(dict(dims))
    if len(rep.shapes) < wanted:
        rep.problems += missing
    rep.ok = rep.rederived and not rep.problems
    return rep


def spare_shapes(claim: Claim) -> list[dict[str, int]]:
    """Further assignments tried when the claim is undefined at a default one (an inverse of a Gram
    matrix B Bᵀ exists only where B has no more rows than columns): all 5, all 7, then 5 and 7 with
    the later dimensions larger, then smaller (3 and 4 instead of 5 and 7 where :func:`recheck_sizes`
    says so)."""
    a, b = recheck_sizes(claim)
    names = list(claim.dims)
    return [{n: a for n in names}, {n: b for n in names},
            {n: b if i * 2 >= len(names) else a for i, n in enumerate(names)},
            {n: a if i * 2 >= len(names) else b for i, n in enumerate(names)}]


def _defined_instance(claim: Claim, dims: dict[str, int], rng: random.Random):
    """A valid instance at dims where both sides evaluate exactly, with their values; None if 20 draws
    find none."""
    from ...errors import UndefinedValue

    for _ in range(20):
        raw = {n: random_raw(rng, n_params(v, shape_of(v, dims)), "integer") for n, v in claim.vars.items()}
        cand = make_instance(claim, dims, raw)
        if not instance_valid(claim, cand):
            continue
        try:
            return cand, {side: claim_side(claim, side, cand) for side in ("lhs", "rhs")}
        except UndefinedValue:
            continue
    return None


def claim_side(claim: Claim, side: str, inst) -> np.ndarray:
    """The claim's side by the ordinary exact evaluator (SymPy rationals), as an array of Fractions.

    ``grad(f, X)`` is evaluated without any symbolic differentiation: f is a polynomial of degree
    at most d in the entries of X (d bounded from the expression tree), so ∂f/∂X_ab is recovered
    exactly from f(X + t E_ab) at t = 0..d by differentiating the interpolating polynomial at 0.
    """
    from ..evaluate import Evaluator
    from ..fields import ExactField

    ex = ExactField()

    class _Eval(Evaluator):
        def _grad(self, node: Node):
            fnode, xnode = node.args
            x = xnode.value
            d = _degree(fnode, x)
            ts = list(range(d + 1))
            weights = [_lagrange_derivative_at_0(ts, k) for k in range(len(ts))]
            base = inst.values[x]
            g = np.empty((len(base), len(base[0])), dtype=object)
            for a in range(g.shape[0]):
                for b in range(g.shape[1]):
                    acc = Fraction(0)
                    for t, w in zip(ts, weights):
                        if not w:
                            continue
                        rows = [list(r) for r in base]
                        rows[a][b] = rows[a][b] + t
                        vals = dict(self.values)
                        vals[x] = ex.from_rationals(rows)
                        acc += w * _fraction(Evaluator(ex, vals, self.dims)(fnode)[0, 0])
                    g[a, b] = acc
            if node.value == "grad_sym":              # sym(G) = (G + Gᵀ)/2
                g = (g + g.T) * Fraction(1, 2)
            elif node.value == "grad_entries_sym":    # G + Gᵀ - diag(diag(G))
                g = g + g.T - np.diag(np.diag(g))
            return ex.from_rationals(g.tolist())

    values = {k: ex.from_rationals(v) for k, v in inst.values.items()}
    node = claim.relation.lhs if side == "lhs" else claim.relation.rhs
    m = _Eval(ex, values, inst.dims)(node)
    out = np.empty(m.shape, dtype=object)
    for idx, v in np.ndenumerate(m):
        out[idx] = _fraction(v)
    return out


def _fraction(v) -> Fraction:
    if isinstance(v, Fraction):
        return v
    if not getattr(v, "is_Rational", False):
        import sympy

        v = sympy.nsimplify(sympy.expand(v))
        if not v.is_Rational:
            raise ValueError(f"non-rational value {v} in an exact evaluation")
    return Fraction(int(v.p), int(v.q))


def _degree(node: Node, x: str) -> int:
    """An upper bound on the degree of the expression in the entries of variable x."""
    op = node.op
    if op == "name":
        return int(node.value == x)
    if op == "num":
        return 0
    ds = [_degree(a, x) for a in node.args]
    if op in ("add", "sub"):
        return max(ds)
    if op in ("mul", "matmul", "div") or (op == "call" and node.value in ("kron", "hadamard")):
        return sum(ds)
    if op == "call" and node.value == "hadamard_pow":
        e = node.args[1]
        if e.op != "num" or e.value.denominator != 1 or e.value < 0:
            raise ValueError("not a polynomial power")
        return ds[0] * int(e.value)
    if op == "pow":
        e = node.args[1]
        if e.op != "num" or e.value.denominator != 1 or e.value < 0:
            raise ValueError("not a polynomial power")
        return ds[0] * int(e.value)
    if op == "call" and node.value in ("grad", "grad_sym", "grad_entries_sym"):
        return ds[0]
    return max(ds, default=0)


def _lagrange_derivative_at_0(ts: list[int], k: int) -> Fraction:
    """L_k'(0) for the Lagrange basis polynomial of node ts[k] (exact)."""
    others = [t for j, t in enumerate(ts) if j != k]
    denom = Fraction(1)
    for t in others:
        denom *= ts[k] - t
    # L_k(s) = prod (s - t) / denom; derivative at 0 = sum_j prod_{i != j} (0 - t_i) / denom
    total = Fraction(0)
    for j in range(len(others)):
        p = Fraction(1)
        for i, t in enumerate(others):
            if i != j:
                p *= -t
        total += p
    return total / denom


def _word_product(labels: dict[str, Any], values: dict[str, list[list[Fraction]]]):
    """``prod(w, n)``: the exact product of the matrices of word w (a label with its transpose flag per
    letter; inv(X) and projectors computed from the values), the n x n identity for the empty word."""
    from ...linalg import from_sympy, projector, to_sympy

    mats: dict[str, np.ndarray] = {}

    def mat(label: str) -> np.ndarray:
        if label not in mats:
            if "inv_of" in labels.get(label, {}):       # the inverse of a Gram matrix: a word's product
                m = np.array(prod(_word(labels[label]["inv_of"]), None), dtype=object)
                rows = from_sympy(to_sympy(m.tolist()).inv())
            elif label.startswith("inv("):
                rows = from_sympy(to_sympy(values[label[4:-1]]).inv())
            elif "proj_of" in labels.get(label, {}):
                base, t = labels[label]["proj_of"]
                b = values[base]
                rows = projector([list(r) for r in zip(*b)] if t else b)
            else:
                rows = values[label]
            mats[label] = np.array(rows, dtype=object).reshape(len(rows), len(rows[0]))
        return mats[label]

    def prod(w: Word, n: int | None) -> np.ndarray:
        out = None
        for lab, t in w:
            m = mat(lab).T if t else mat(lab)
            out = m if out is None else out @ m
        if out is None:
            out = np.array([[Fraction(int(i == j)) for j in range(n)] for i in range(n)], dtype=object)
        return out

    return prod


def _net_value(net, prod, slot_dims: list[int], size) -> np.ndarray:
    """The copy-tensor part of a term as a tensor over the output slots: every chain is the matrix
    product of its word (the identity for an empty chain, a row or column at a size-1 end), every
    junction one summation index shared by all chains that end at it (numpy's einsum on exact
    values)."""
    jdims, chains = net
    nslots = len(slot_dims)
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    if nslots + len(jdims) > len(letters):
        raise ValueError("too many indices to evaluate a certificate term")

    def sym(e) -> str:
        return letters[e[1]] if e[0] == 0 else letters[nslots + e[1]]

    def dim(e) -> int:
        return slot_dims[e[1]] if e[0] == 0 else size(jdims[e[1]])

    ops, subs = [], []
    for a, w, b in chains:
        m = prod(w, dim(a) if not w else None)
        sub = ""
        if a[0] == 2:
            m = m[0, :]
        else:
            sub += sym(a)
        if b[0] == 2:
            m = m[..., 0]
        else:
            sub += sym(b)
        ops.append(np.asarray(m, dtype=object))
        subs.append(sub)
    out = "".join(letters[s] for s in range(nslots))
    if not ops:
        return np.array(Fraction(1), dtype=object)
    return np.einsum(",".join(subs) + "->" + out, *ops, optimize=len(ops) > 2)


def _term_value(key, coef, scal: dict[str, Fraction], prod, slot_dims: list[int], size=None) -> np.ndarray:
    """One normal-form term as a tensor over the output slots: its coefficient times the vector-path
    scalars and cycle traces, times the outer product of its slot paths (axes in slot order), or,
    for a term with copy tensors, times the value of its chains (:func:`_net_value`)."""
    slot_paths, vec_paths, cycles = key[:3]
    s = poly.evaluate(coef, scal)
    for w in vec_paths:
        s *= prod(w, None)[0, 0]
    for w in cycles:
        m = prod(w, None)
        s *= sum(m[i, i] for i in range(m.shape[0]))
    t = np.array(s, dtype=object)
    if len(key) == 4:
        return s * _net_value(key[3], prod, slot_dims, size)
    axes: list[int] = []
    for a, b, w in slot_paths:
        m = prod(w, slot_dims[a])
        if b < 0:
            t = np.multiply.outer(t, m[:, 0])
            axes.append(a)
        else:
            t = np.multiply.outer(t, m)
            axes += [a, b]
    if axes:
        t = np.transpose(t, np.argsort(axes))
    return t


def evaluate_nf(nf: NormalForm, labels: dict[str, Any], dims: dict[str, int],
                values: dict[str, list[list[Fraction]]]) -> np.ndarray:
    """Value of a normal form on explicit dims and values (exact), built only from its words."""
    def size(d) -> int:
        if isinstance(d, str) and d.isdigit():
            return int(d)
        return d if isinstance(d, int) else dims[d]

    prod = _word_product(labels, values)
    slot_dims = [size(d) for d in (*nf.rowdims, *nf.coldims)]
    scal = {k: Fraction(v) for k, v in dims.items()}
    for name, rows in values.items():
        if len(rows) == 1 and len(rows[0]) == 1:
            scal.setdefault(name, Fraction(rows[0][0]))
    total = np.zeros(tuple(slot_dims), dtype=object) + Fraction(0)
    for key, c in nf.terms.items():
        total = total + _term_value(key, c, scal, prod, slot_dims, size)
    r = int(np.prod([size(d) for d in nf.rowdims])) if nf.rowdims else 1
    c = int(np.prod([size(d) for d in nf.coldims])) if nf.coldims else 1
    return np.asarray(total, dtype=object).reshape(r, c)

"""The rule kernel: each rule checks one derivation mechanically, on normal forms (``verify.rules.terms``).

A derivation is a conclusion (a relation in the term language), the premises it uses and the rule.
Every rule either accepts (returning its evidence) or raises :class:`RuleError` naming what does
not fit.  Relations are compared in oriented form ``e op 0`` (``e = lhs - rhs``, op in == <= <).

Schemas (premises are the steps named in ``uses``; parameters in ``params``):

* ``substitute``: ``into`` (a premise, default the first) with each other premise ``a == b`` used to
  replace ``a`` by ``b`` (or ``b`` by ``a`` when ``a`` does not occur); the result must be the
  conclusion.  With no equalities it is a restatement (equal after normalisation).
* ``transitive``: premises ``x0 R1 x1, x1 R2 x2, ...`` (each written either way round) give
  ``x0 R xk``; consecutive middle terms must be equal after normalisation; ``<`` needs one strict
  premise, ``==`` needs only equalities.
* ``add``: the conclusion's ``lhs - rhs`` is the sum of the premises' ``lhs - rhs`` (equalities may
  enter with either sign); ``==`` needs only equalities, ``<`` one strict premise.
* ``scale``: ``of`` (a premise, default the first) ``a R b`` and a ``factor`` f give ``f a R f b``;
  for an inequality f must be shown nonnegative: syntactically (a nonnegative number, an even
  power, a norm, exp, a sum or product of such) or by a premise ``f >= 0``; ``<`` is kept only for
  ``f > 0``.
* ``nonnegative``: ``x >= 0`` for x syntactically nonnegative (a nonnegative number, an even power, a
  norm, exp, a singular value, sums and products of such); no premises.
* ``instantiate``: a lemma (a premise with its own variables: a claim) with ``subst`` mapping its
  variables to terms of the context (and ``dims`` its dimensions); each substituted term must have
  the variable's shape, a variable differentiated in the lemma (``grad(f, X)``) must be replaced by
  a variable on which no other substituted term depends, variable assumptions other than
  nonnegativity cannot be discharged, and each of the lemma's ``given`` conditions must be a premise.
* ``flow_derivative``: ``of`` a scalar F: ``d(F) == sum over the flowing X of tr(grad(F, X).T @ Xdot)``
  with the context's flow (chain rule); F free of X contributes nothing.
* ``gronwall``: ``of`` F, ``rate`` c, optional ``lower`` c0, ``horizon`` T (default ``T``): premises
  ``d(F) <= -c F`` (the sign is checked), ``T >= 0``; with ``lower``: ``c >= c0`` and ``F >= 0``; the
  rate used (c0, or c) must be constant (free of the flowing variables).  Conclusion:
  ``at(F, T) <= at(F, 0) * exp(-c0 T)``.
* ``hypothesis``: a hypothesis of the theorem, assumed (no premises).
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy

from .terms import Context, Rel, RuleError, Term, canon, nonnegative, show

RULES = (
    "substitute",
    "transitive",
    "add",
    "scale",
    "nonnegative",
    "instantiate",
    "flow_derivative",
    "gronwall",
    "hypothesis",
)


@dataclass
class Premise:
    """A premise as the kernel sees it.

    ``variables`` is None for a statement in the context's own vocabulary; for a lemma (a claim) it
    maps the lemma's variables to their shapes in dimension names (None: scalar), with ``assume``
    (variable -> assumptions) and ``given`` (side conditions).  A lemma used without ``instantiate``
    is read with every variable bound to the context's name of the same name (shape-checked).
    """

    id: str
    statement: str
    variables: dict[str, tuple[Any, Any] | None] | None = None
    assume: dict[str, list[str]] = field(default_factory=dict)
    given: list[str] = field(default_factory=list)


def _eq(a: sympy.Expr, b: sympy.Expr) -> bool:
    d = sympy.expand(a - b)
    return d == 0 or sympy.expand(canon(d)) == 0


def _same(c: Rel, e: sympy.Expr, op: str) -> bool:
    """Is the conclusion c the oriented relation ``e op 0``?  (== allows either sign.)"""
    ce, cop = c.oriented()
    if cop != op:
        return False
    return _eq(ce, e) or (op == "==" and _eq(ce, -e))


def _shape_of(ctx: Context, shape, dims_map: Mapping[str, str]) -> tuple[int, int]:
    if shape is None:
        return (1, 1)
    out = []
    for d in shape:
        if isinstance(d, str) and d in dims_map:
            t = ctx.term(dims_map[d])
            out.append(
                int(
                    t.expr.subs(
                        {sympy.Symbol(k, integer=True, positive=True): v for k, v in ctx.dims.items()}
                    )
                )
            )
        else:
            out.append(ctx.dim(d))
    return tuple(out)  # type: ignore[return-value]


def read_premise(ctx: Context, p: Premise) -> Rel:
    """A premise in the context: a lemma's variables are bound by name (shape-checked)."""
    if p.variables is not None:
        for v, shape in p.variables.items():
            if v not in ctx.variables and v not in ctx.quantities:
                raise RuleError(f"premise {p.id}: its variable {v!r} is not a name of the proof's context; "
                                "use the rule instantiate to bind it")
            have = ctx.term(v).shape
            want = _shape_of(ctx, shape, {})
            if have != want:
                raise RuleError(
                    f"premise {p.id}: variable {v!r} has shape {want} in the lemma but {have} in the context"
                )
            if p.assume.get(v):
                raise RuleError(
                    f"premise {p.id}: variable {v!r} carries assumptions {p.assume[v]} that a direct "
                    "use cannot discharge; use instantiate with premises"
                )
        if p.given:
            raise RuleError(f"premise {p.id} has given conditions {p.given}; use instantiate with premises "
                            "that establish them")
    return ctx.relation(p.statement)


# ------------------------------------------------------------------ rules

def _substitute(ctx, concl, prem, params, raw):
    ids = list(prem)
    into = params.get("into", ids[0])
    if into not in prem:
        raise RuleError(f"substitute: 'into' = {into!r} is not a premise")
    target = prem[into]
    lhs, rhs = canon(sympy.expand(target.lhs.expr)), canon(sympy.expand(target.rhs.expr))
    used = []
    for pid in ids:
        if pid == into:
            continue
        eq = prem[pid]
        if eq.op != "==":
            raise RuleError(f"substitute: premise {pid} is not an equality ({eq.text})")
        a, b = canon(sympy.expand(eq.lhs.expr)), canon(sympy.expand(eq.rhs.expr))
        new_l, new_r = lhs.subs(a, b), rhs.subs(a, b)
        if new_l == lhs and new_r == rhs:
            new_l, new_r = lhs.subs(b, a), rhs.subs(b, a)
            if new_l == lhs and new_r == rhs:
                el, er = sympy.expand(lhs), sympy.expand(rhs)
                new_l, new_r = el.subs(a, b), er.subs(a, b)
                if new_l == el and new_r == er:
                    raise RuleError(
                        f"substitute: neither side of premise {pid} ({eq.text}) occurs in {target.text}"
                    )
        lhs, rhs = canon(sympy.expand(new_l)), canon(sympy.expand(new_r))
        used.append(pid)
    e, op = Rel(Term(lhs, (1, 1)), target.op, Term(rhs, (1, 1)), "").oriented()
    if not _same(concl, e, op):
        raise RuleError(f"substitute: after substituting {used or 'nothing'} into {into}, {show(e)} {op} 0 "
                        f"is not the conclusion {concl.text}")
    return {"into": into, "equalities": used}


def _orient_pair(r: Rel) -> tuple[sympy.Expr, sympy.Expr, str]:
    """(small, big, op) with op in == <= <."""
    if r.op in (">=", ">"):
        return r.rhs.expr, r.lhs.expr, "<=" if r.op == ">=" else "<"
    return r.lhs.expr, r.rhs.expr, r.op


def _transitive(ctx, concl, prem, params, raw):
    small, big, cop = _orient_pair(concl)
    rels = list(prem.values())
    errors = []
    for order in (rels, rels[::-1]):
        cur, strict, all_eq, ok = small, False, True, True
        for r in order:
            a, b, op = _orient_pair(r)
            if op == "==" and _eq(cur, b):
                cur = a
            elif _eq(cur, a):
                cur = b
            else:
                errors.append(
                    f"middle terms differ: {show(sympy.expand(cur))} vs {show(sympy.expand(a))} ({r.text})"
                )
                ok = False
                break
            strict |= op == "<"
            all_eq &= op == "=="
        if not ok:
            continue
        if not _eq(cur, big):
            errors.append(f"the chain ends at {show(sympy.expand(cur))}, not at {show(sympy.expand(big))}")
            continue
        if cop == "==" and not all_eq:
            raise RuleError("transitive: an equality needs equal premises only")
        if cop == "<" and not strict:
            raise RuleError("transitive: a strict conclusion needs a strict premise")
        return {"chain": [r.text for r in order]}
    raise RuleError("transitive: " + "; ".join(errors[:2]))


def _add(ctx, concl, prem, params, raw):
    parts = [r.oriented() for r in prem.values()]
    ce, cop = concl.oriented()
    eq_idx = [i for i, (_, op) in enumerate(parts) if op == "=="]
    if cop == "==" and len(eq_idx) != len(parts):
        raise RuleError("add: an equality needs equal premises only")
    if cop == "<" and not any(op == "<" for _, op in parts):
        raise RuleError("add: a strict conclusion needs a strict premise")
    if len(eq_idx) > 10:
        raise RuleError("add: at most 10 equalities")
    for signs in itertools.product((1, -1), repeat=len(eq_idx)):
        sign = dict(zip(eq_idx, signs))
        total = sympy.Add(*[sign.get(i, 1) * e for i, (e, _) in enumerate(parts)])
        if _eq(ce, total) or (cop == "==" and _eq(ce, -total)):
            return {"signs": {pid: sign.get(i, 1) for i, pid in enumerate(prem)}}
    raise RuleError(f"add: the conclusion's lhs - rhs ({show(ce)}) is not a sum of the premises' lhs - rhs")


def _scale(ctx, concl, prem, params, raw):
    if "factor" not in params:
        raise RuleError("scale: give the factor")
    f = ctx.term(str(params["factor"]))
    if not f.scalar:
        raise RuleError("scale: the factor must be a scalar")
    of = params.get("of", next(iter(prem)))
    if of not in prem:
        raise RuleError(f"scale: 'of' = {of!r} is not a premise")
    e, op = prem[of].oriented()
    ce, cop = concl.oriented()
    fe = f.expr
    if op == "==":
        if cop == "==" and (_eq(ce, fe * e) or _eq(ce, -fe * e)):
            return {"factor": str(params["factor"]), "of": of}
        raise RuleError(f"scale: the conclusion is not {params['factor']} times premise {of}")
    # inequality: f must be nonnegative (positive to keep <)
    why = None
    if nonnegative(fe):
        why = "syntactically nonnegative"
        positive = bool(fe.is_number and fe > 0)
    else:
        positive = False
        for pid, r in prem.items():
            if pid == of:
                continue
            pe, pop = r.oriented()
            if pop in ("<=", "<") and _eq(pe, -fe):
                why = f"premise {pid} ({r.text})"
                positive = pop == "<"
                break
    if why is None:
        raise RuleError(f"scale: the factor {params['factor']} is not proved nonnegative (no premise "
                        f"'{params['factor']} >= 0' and not syntactically nonnegative)")
    if not _eq(ce, fe * e):
        raise RuleError(f"scale: the conclusion is not {params['factor']} times premise {of}")
    if cop == "==" or (cop == "<" and not (op == "<" and positive)):
        raise RuleError(f"scale: the conclusion's relation {cop} does not follow from {op} and a factor "
                        f"{'> 0' if positive else '>= 0'}")
    return {"factor": str(params["factor"]), "of": of, "nonnegative_by": why}


def _grad_vars(text: str) -> list[str]:
    import ast
    out = []
    for node in ast.walk(ast.parse(text.strip(), mode="eval")):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "grad" \
                and len(node.args) == 2 and isinstance(node.args[1], ast.Name):
            out.append(node.args[1].id)
    return out


def _instantiate(ctx, concl, prem, params, raw):
    lemmas = [p for p in raw.values() if p.variables is not None]
    lid = params.get("lemma", lemmas[0].id if len(lemmas) == 1 else None)
    if lid is None or lid not in raw or raw[lid].variables is None:
        raise RuleError("instantiate: name the lemma (a premise with its own variables) in params['lemma']")
    lemma = raw[lid]
    subst = dict(params.get("subst", {}))
    dims_map = {str(k): str(v) for k, v in params.get("dims", {}).items()}
    unknown = set(subst) - set(lemma.variables)
    if unknown:
        raise RuleError(f"instantiate: {min(unknown)!r} is not a variable of lemma {lid}")
    bind: dict[str, Term] = {d: ctx.term(t) for d, t in dims_map.items()}
    for v, shape in lemma.variables.items():
        t = ctx.term(subst[v]) if v in subst else ctx.term(v)
        want = _shape_of(ctx, shape, dims_map)
        if t.shape != want:
            raise RuleError(f"instantiate: {v} := {subst.get(v, v)} has shape {t.shape}, but {v} has shape "
                            f"{want} in lemma {lid}")
        bind[v] = t
    for v, assumptions in lemma.assume.items():
        for a in assumptions:
            if a not in ("nonnegative", "positive"):
                raise RuleError(f"instantiate: lemma {lid} assumes {v} {a}; the kernel cannot discharge it")
            e = bind[v].expr
            if not (a == "nonnegative" and nonnegative(e)) and not any(
                    r.oriented()[1] in ("<=", "<") and _eq(r.oriented()[0], -e) and (a == "nonnegative" or
                                                                                     r.oriented()[1] == "<")
                    for pid, r in prem.items() if pid != lid):
                raise RuleError(f"instantiate: lemma {lid} assumes {v} {a}; no premise shows it for "
                                f"{subst.get(v, v)}")
    for x in _grad_vars(lemma.statement):
        s = bind[x].expr
        if not isinstance(s, sympy.Symbol):
            raise RuleError(f"instantiate: {x} is differentiated in lemma {lid}; it must become a variable")
        for v, t in bind.items():
            if v != x and v in lemma.variables and s in t.expr.free_symbols:
                raise RuleError(f"instantiate: {v} := {subst.get(v, v)} depends on {show(s)}, the variable "
                                f"{x} is differentiated by in lemma {lid}")
    for g in lemma.given:
        gr = ctx.relation(g, bind)
        ge, gop = gr.oriented()
        if not any(pid != lid and _same(r, ge, gop) for pid, r in prem.items()):
            raise RuleError(f"instantiate: lemma {lid} needs {g!r}; no premise states it for this instance")
    inst = ctx.relation(lemma.statement, bind)
    e, op = inst.oriented()
    if not _same(concl, e, op):
        raise RuleError(
            f"instantiate: lemma {lid} instantiated is {show(e)} {op} 0, not the conclusion {concl.text}"
        )
    return {"lemma": lid, "subst": subst, "dims": dims_map}


def _flow_derivative(ctx, concl, prem, params, raw):
    if "of" not in params:
        raise RuleError("flow_derivative: give 'of', the scalar differentiated")
    if not ctx.flow:
        raise RuleError("flow_derivative: the proof declares no flow")
    F = str(params["of"])
    if not ctx.term(F).scalar:
        raise RuleError("flow_derivative: F must be a scalar")
    rhs = " + ".join(f"tr(grad({F}, {x}).T @ ({v}))" for x, v in ctx.flow.items())
    expected = ctx.relation(f"d({F}) == {rhs}")
    e, op = expected.oriented()
    if not _same(concl, e, op):
        raise RuleError(
            f"flow_derivative: the chain rule gives d({F}) == {show(sympy.expand(expected.rhs.expr))}, "
            f"not {concl.text}"
        )
    return {"of": F, "flow": dict(ctx.flow)}


def _gronwall(ctx, concl, prem, params, raw):
    for k in ("of", "rate"):
        if k not in params:
            raise RuleError(f"gronwall: give {k!r}")
    F, c = str(params["of"]), str(params["rate"])
    c0 = str(params.get("lower", c))
    T = str(params.get("horizon", "T"))
    Ft, ct, c0t, Tt = ctx.term(F), ctx.term(c), ctx.term(c0), ctx.term(T)
    if not (Ft.scalar and ct.scalar and c0t.scalar and Tt.scalar):
        raise RuleError("gronwall: F, the rate and T must be scalars")
    dF = ctx.term(f"d({F})").expr

    def find(e, ops, what):
        for pid, r in prem.items():
            pe, pop = r.oriented()
            if pop in ops and _eq(pe, e):
                return pid
        raise RuleError(f"gronwall: no premise states {what}")
    used = {"decay": find(dF + ct.expr * Ft.expr, ("<=", "<", "=="),
                          f"d({F}) <= -({c})*({F}) (check the sign of the rate)")}
    used["horizon"] = find(-Tt.expr, ("<=", "<"), f"{T} >= 0")
    if "lower" in params:
        used["rate_bound"] = find(c0t.expr - ct.expr, ("<=", "<", "=="), f"{c} >= {c0}")
        used["nonnegative"] = find(-Ft.expr, ("<=", "<"), f"{F} >= 0 (needed to lower the rate)")
    if not ctx.constant(c0t.expr):
        raise RuleError(
            f"gronwall: the rate {c0} depends on the flowing variables; it must be constant on [0, {T}]"
        )
    want = ctx.relation(f"at({F}, {T}) <= at({F}, 0) * exp(-({c0}) * ({T}))")
    e, op = want.oriented()
    if not _same(concl, e, op):
        raise RuleError(f"gronwall: the conclusion must be {want.text}")
    return {"of": F, "rate": c, "lower": c0, "horizon": T, "premises": used}


def _nonnegative(ctx, concl, prem, params, raw):
    if prem:
        raise RuleError("nonnegative: takes no premises")
    e, op = concl.oriented()
    if op != "<=" or not nonnegative(-e):
        raise RuleError(f"nonnegative: {concl.text} is not 'x >= 0' with x syntactically nonnegative")
    return {}


_RULES: dict[str, Callable] = {
    "nonnegative": _nonnegative,
    "substitute": _substitute, "transitive": _transitive, "add": _add, "scale": _scale,
    "instantiate": _instantiate, "flow_derivative": _flow_derivative, "gronwall": _gronwall,
}


def derive(ctx: Context, rule: str, conclusion: str, premises: list[Premise],
           params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Check one derivation; returns the rule's evidence or raises ``RuleError``."""
    params = dict(params or {})
    if rule not in RULES:
        raise RuleError(f"unknown rule {rule!r} (known: {', '.join(RULES)})")
    concl = ctx.relation(conclusion)
    if rule == "hypothesis":
        if premises:
            raise RuleError("hypothesis: a hypothesis has no premises")
        return {"rule": "hypothesis"}
    if not premises and rule not in ("flow_derivative", "nonnegative"):
        raise RuleError(f"{rule}: needs premises")
    raw = {p.id: p for p in premises}
    if len(raw) != len(premises):
        raise RuleError(f"{rule}: a premise is named twice")
    if rule == "instantiate":
        prem = {p.id: ctx.relation(p.statement) if p.variables is None else None for p in premises}
        prem = {pid: r for pid, r in prem.items() if r is not None}
    else:
        prem = {p.id: read_premise(ctx, p) for p in premises}
    out = _RULES[rule](ctx, concl, prem, params, raw)
    return {"rule": rule, **out}

"""Mutants of true catalogue claims, and their independent judgement (shared by the mutation test and
``benchmarks/mutation_soundness.py``).

A mutant is a true claim with one realistic slip: a transpose dropped, factors swapped, a sign flipped,
a constant moved by 10^-k, an inequality turned round, a factor 2 lost, X^-1 written for X^-T, an
assumption dropped, tr(AB) written as tr(A) tr(B), det(A + B) as det A + det B.  ``judge`` checks it
with verify and decides independently (tests/independent.py: SymPy exact rationals, mpmath at 170
digits) whether it is false on the counterexample verify gave, or on sampled witnesses.  A mutant
shown false that gets a holding verdict is *unsound*; a counterexample the independent evaluator does
not confirm is a *bad counterexample*.
"""
from __future__ import annotations

import ast
import copy
import dataclasses
import random
import time
from dataclasses import dataclass

import sympy

import tests.independent as ind
from verify import CheckConfig, Claim, Verdict, check_claim
from verify.catalogue import catalogue_files
from verify.claims.files import load_claim_file
from verify.check.sample import given_boundary_instances
from verify.claims.instances import boundary_pairs, instance_valid, random_instance, special_instances
from verify.language.parser import parse_relation

CONFIG = CheckConfig(seed=11, instances=8, search_examples=60, time_limit=20)
WITNESSES = 10          # independent instances tried on a mutant that got a holding verdict
KS_EXHAUSTIVE = [1, 10, 20, 30, 40, 50, 60]


def true_entries() -> dict:
    """Every catalogue entry expected to hold, by name (family claims written out per depth)."""
    return {
        e.name: e
        for p in catalogue_files()
        for e in load_claim_file(p).entries
        if e.expect == "holds" and e.claim is not None
    }


@dataclass(frozen=True)
class Mutant:
    """``statement`` is the mutated text; ``drop`` names an assumption ``var:assumption`` removed."""

    claim: str
    op: str
    statement: str
    drop: str = ""

    @property
    def key(self) -> str:
        return f"{self.claim}|{self.op}|{self.statement}|{self.drop}"


# --- mutation operators on the statement's syntax tree --------------------------------------
def _nodes(tree: ast.AST) -> list[ast.AST]:
    return list(ast.walk(tree))


def _apply(statement: str, index: int, change) -> str | None:
    tree = ast.parse(statement, mode="eval")
    node = _nodes(tree)[index]
    if change(tree, node) is False:
        return None
    out = ast.unparse(tree)
    return None if out == ast.unparse(ast.parse(statement, mode="eval")) else out


def _replace(tree: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for parent in ast.walk(tree):
        for fld, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, fld, new)
            elif isinstance(value, list):
                for i, v in enumerate(value):
                    if v is old:
                        value[i] = new


def _call(name: str, *args: ast.AST) -> ast.Call:
    return ast.Call(ast.Name(name), list(args), [])


def _is_call(node: ast.AST, name: str, nargs: int = 1) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name
            and len(node.args) == nargs)


def _drop_transpose(tree, node):
    if not (isinstance(node, ast.Attribute) and node.attr == "T"):
        return False
    _replace(tree, node, node.value)


def _swap(tree, node):
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, (ast.MatMult, ast.Mult))):
        return False
    node.left, node.right = node.right, node.left


def _flip(tree, node):
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        node.op = ast.Sub() if isinstance(node.op, ast.Add) else ast.Add()
    elif isinstance(node, ast.Compare):
        node.comparators[0] = ast.UnaryOp(ast.USub(), node.comparators[0])
    else:
        return False


_REVERSED = {ast.LtE: ast.GtE, ast.GtE: ast.LtE, ast.Lt: ast.Gt, ast.Gt: ast.Lt}


def _flip_inequality(tree, node):
    """a <= b  ->  a >= b (the direction of a published inequality turned round)."""
    if not (isinstance(node, ast.Compare) and type(node.ops[0]) in _REVERSED):
        return False
    node.ops[0] = _REVERSED[type(node.ops[0])]()


def _is_two(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value == 2


def _drop_factor_two(tree, node):
    """2 * x -> x, x * 2 -> x, x / 2 -> x (a lost factor 2, say in a gradient)."""
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div))):
        return False
    if _is_two(node.right):
        _replace(tree, node, node.left)
    elif isinstance(node.op, ast.Mult) and _is_two(node.left):
        _replace(tree, node, node.right)
    else:
        return False


def _inverse_transpose(tree, node):
    """inv(X) -> inv(X.T), inv(X.T) -> inv(X): X^-1 written for X^-T (or back)."""
    if not _is_call(node, "inv"):
        return False
    arg = node.args[0]
    if isinstance(arg, ast.Attribute) and arg.attr == "T":
        node.args[0] = arg.value
    else:
        node.args[0] = ast.Attribute(arg, "T")


def _trace_split(tree, node):
    """tr(A @ B) -> tr(A) * tr(B)."""
    if not (_is_call(node, "tr") and isinstance(node.args[0], ast.BinOp)
            and isinstance(node.args[0].op, ast.MatMult)):
        return False
    prod = node.args[0]
    _replace(tree, node, ast.BinOp(_call("tr", prod.left), ast.Mult(), _call("tr", prod.right)))


def _det_additive(tree, node):
    """det(A + B) -> det(A) + det(B) (and det(A - B) -> det(A) - det(B))."""
    if not (_is_call(node, "det") and isinstance(node.args[0], ast.BinOp)
            and isinstance(node.args[0].op, (ast.Add, ast.Sub))):
        return False
    s = node.args[0]
    _replace(tree, node, ast.BinOp(_call("det", s.left), copy.deepcopy(s.op), _call("det", s.right)))


def _perturb(k: int):
    def change(tree, node):
        eps = ast.BinOp(ast.Constant(1), ast.Div(), ast.BinOp(ast.Constant(10), ast.Pow(), ast.Constant(k)))
        if isinstance(node, ast.Constant) and not _is_exponent(tree, node):
            _replace(tree, node, ast.BinOp(copy.deepcopy(node), ast.Add(), eps))
        elif isinstance(node, ast.Compare):
            # no constant: scale the right side by 1 ± 10^-k, the sign that strengthens the claim
            op = ast.Sub() if isinstance(node.ops[0], (ast.LtE, ast.Lt)) else ast.Add()
            node.comparators[0] = ast.BinOp(
                ast.BinOp(ast.Constant(1), op, eps), ast.Mult(), node.comparators[0]
            )
        else:
            return False
    return change


def _is_exponent(tree, node) -> bool:
    return any(
        isinstance(p, ast.BinOp) and isinstance(p.op, ast.Pow) and p.right is node for p in ast.walk(tree)
    )


SYNTAX_OPS = [
    ("drop_transpose", _drop_transpose), ("swap_factors", _swap), ("flip_sign", _flip),
    ("flip_inequality", _flip_inequality), ("drop_factor_2", _drop_factor_two),
    ("inverse_transpose", _inverse_transpose), ("trace_split", _trace_split),
    ("det_additive", _det_additive),
]
# assumptions whose loss is a realistic slip (a structural or sign assumption used by the proof)
DROPPABLE = {"pd", "psd", "nd", "nsd", "symmetric", "orthogonal", "projector", "idempotent", "nonnegative",
             "positive", "nonzero", "invertible", "full_rank", "rank_deficient", "nilpotent"}


def mutants(name: str, statement: str, ks: list[int], first_only: bool, claim: Claim | None = None,
            ops: list[str] | None = None) -> list[Mutant]:
    """The mutants of one statement: each syntax operator at each place it applies (only the first
    place with ``first_only``), the perturbations by 10^-k for each k, and, given the ``claim``, the
    claim without each droppable assumption of a variable.  ``ops`` restricts to those operator names
    (``perturb`` for every k)."""
    out: list[Mutant] = []
    nodes = _nodes(ast.parse(statement, mode="eval"))
    table = SYNTAX_OPS + [(f"perturb_1e-{k}", _perturb(k)) for k in ks]
    if ops is not None:
        table = [(label, f) for label, f in table if label.split("_1e")[0] in ops]
    # rewriting the comparison itself (negate or scale the right side) is the fallback
    order = sorted(range(len(nodes)), key=lambda i: isinstance(nodes[i], ast.Compare))
    for label, change in table:
        seen = set()
        for i in order:
            s = _apply(statement, i, change)
            if s is not None and s not in seen:
                try:
                    parse_relation(s)
                except Exception:  # noqa: BLE001 - a mutant the language rejects is no mutant
                    continue
                seen.add(s)
                out.append(Mutant(name, label, s))
                if first_only:
                    break
    if claim is not None and (ops is None or "drop_assumption" in ops):
        for v in sorted(claim.vars):
            for a in claim.vars[v].assume:
                if a in DROPPABLE:
                    out.append(Mutant(name, "drop_assumption", statement, f"{v}:{a}"))
                    if first_only:
                        return out
    return out


def mutant_claim(m: Mutant, base: Claim) -> Claim:
    """The base claim with the mutant's statement (same dims scope, vars and givens), or with one
    assumption dropped."""
    c = copy.copy(base)
    c.name = f"{m.claim}:{m.op}"
    c.statement = m.statement
    c.relation = parse_relation(m.statement)
    if m.drop:
        v, a = m.drop.split(":")
        c.vars = dict(base.vars)
        c.vars[v] = dataclasses.replace(base.vars[v], assume=tuple(x for x in base.vars[v].assume if x != a))
    return c


# --- independent evaluation -------------------------------------------------------------------
def independent_violation(statement: str, given: list[str], cx: dict, assume: dict | None = None) -> bool:
    """True when every given (and every assumption in ``assume``: var -> names) holds and the
    statement is false on ``cx``, decided exactly when both sides are rational, else at 170 digits
    (150 kept) with a margin of 1e-140 relative to the sides' size."""
    env = {k: ind._S(sympy.Rational(v)) for k, v in cx.get("dims", {}).items()}
    env.update({k: ind.to_value(v) for k, v in cx["values"].items()})
    old = ind.MP.dps, ind.DIGITS
    ind.MP.dps, ind.DIGITS = 170, 150
    try:
        if not all(_assumption_holds(a, env[v]) for v, names in (assume or {}).items() for a in names):
            return False
        return all(_decide(g, env) is True for g in given) and _decide(statement, env) is False
    finally:
        ind.MP.dps, ind.DIGITS = old


def _assumption_holds(name: str, m) -> bool:
    """The assumptions a dropped-assumption mutant's base relies on, decided exactly (True only when
    shown; anything not decidable here counts as not shown)."""
    sq = m.rows == m.cols
    if name == "symmetric":
        return sq and m == m.T
    if name in ("pd", "psd", "nd", "nsd"):
        if not (sq and m == m.T):
            return False
        x = m if name in ("pd", "psd") else -m
        minors = [x[:k, :k].det() for k in range(1, x.rows + 1)]
        if name in ("pd", "nd"):
            return all(d > 0 for d in minors)
        return all(x[list(s), list(s)].det() >= 0 for s in _subsets(x.rows))
    if name == "orthogonal":
        return sq and m.T * m == sympy.eye(m.rows)
    if name in ("projector", "idempotent"):
        return sq and m * m == m and (name == "idempotent" or m == m.T)
    if name == "nilpotent":
        return sq and (m ** m.rows).is_zero_matrix
    if name == "invertible":
        return sq and m.det() != 0
    if name == "full_rank":
        return m.rank() == min(m.shape)
    if name == "rank_deficient":
        return m.rank() < min(m.shape)
    if name == "nonzero":
        return not m.is_zero_matrix
    if name in ("nonnegative", "positive"):
        return all((x >= 0 if name == "nonnegative" else x > 0) for x in m)
    return False


def _subsets(n: int):
    from itertools import combinations
    for k in range(1, n + 1):
        yield from combinations(range(n), k)


def _decide(text: str, env) -> bool | None:
    tree = ast.parse(text, mode="eval").body
    lhs, rhs = ind.evaluate(tree.left, env), ind.evaluate(tree.comparators[0], env)
    op = type(tree.ops[0])
    diffs = [x - y for x, y in zip(lhs, rhs)]
    scale = 1 + max(abs(sympy.N(v, 80)) for v in [*lhs, *rhs])
    tau = sympy.Float("1e-140", 80) * scale

    def sign(d):        # -1, 0, 1, or None for a numerical near-tie
        if d.is_Rational:
            return 1 if d > 0 else -1 if d < 0 else 0
        v = sympy.N(d, 160)
        if abs(v) <= tau:
            # a near-tie: simplified exactly only now (simplify can take minutes on large radicals)
            d = sympy.simplify(d)
            if d.is_Rational:
                return 1 if d > 0 else -1 if d < 0 else 0
            v = sympy.N(d, 160)
        return 1 if v > tau else -1 if v < -tau else None

    signs = [sign(d) for d in diffs]
    if op is ast.Eq:
        return (
            False
            if any(s not in (0, None) for s in signs)
            else (True if all(s == 0 for s in signs) else None)
        )
    s = signs[0]
    if s is None:
        return None
    return {ast.LtE: s <= 0, ast.GtE: s >= 0, ast.Lt: s < 0, ast.Gt: s > 0}[op]


def _witnesses(claim: Claim, seed: int):
    rng = random.Random(seed)
    insts = [random_instance(claim, rng, i) for i in range(WITNESSES)]
    insts += [x for pair in boundary_pairs(claim, rng, 2) for x in pair]
    # the special points (scalars at 0, +-1, 10^-k; dims corners) and the boundaries of the givens
    insts += special_instances(claim, rng)
    insts += given_boundary_instances(claim, insts[:3])
    return [i for i in insts if instance_valid(claim, i)]


def _kept_assumptions(claim: Claim) -> dict:
    return {v: [a for a in spec.assume if a in DROPPABLE] for v, spec in claim.vars.items() if spec.assume}


@dataclass
class Judgement:
    """What happened to one mutant.  ``unsound``: shown false yet given a holding verdict;
    ``bad_counterexample``: refuted with a counterexample the independent evaluator does not confirm."""

    verdict: str
    shown_false: bool
    unsound: bool
    bad_counterexample: bool
    seconds: float
    message: str
    counterexample: dict | None = None
    witness: dict | None = None


def judge(m: Mutant, base: Claim, config: CheckConfig = CONFIG) -> Judgement:
    """Check the mutant with verify and judge the verdict independently."""
    claim = mutant_claim(m, base)
    t0 = time.perf_counter()
    r = check_claim(claim, config)
    seconds = time.perf_counter() - t0
    if r.verdict is Verdict.ERROR and r.evidence.get("engine") == "parser/shapes":
        # a mutant the language rejects (shapes no longer match): no claim, nothing to judge
        return Judgement("ill_formed", False, False, False, seconds, r.message)
    # the counterexample of a dropped-assumption mutant need only satisfy what the mutant assumes
    assume = _kept_assumptions(claim)
    if r.verdict is Verdict.REFUTED:
        cx = r.counterexample.to_json()
        ok = independent_violation(m.statement, base.given, cx, assume)
        return Judgement(r.verdict.value, ok, False, not ok, seconds, r.message, counterexample=cx)
    witness = None
    for inst in _witnesses(claim, 101):
        try:
            js = inst.to_json(claim)
            if independent_violation(m.statement, base.given, js, assume):
                witness = js
                break
        except (ZeroDivisionError, ValueError, TypeError, AssertionError, KeyError, sympy.SympifyError):
            continue  # undefined there (a singular inverse, eig of a non-symmetric matrix): no witness
    shown = witness is not None
    return Judgement(r.verdict.value, shown, r.verdict.holds and shown, False, seconds, r.message,
                     witness=witness)

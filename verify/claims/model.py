"""``Claim``: a relation between two expressions over typed variables, with side conditions.

A claim has dimensions (``dims``), each with a *scope* that says what the claim is about:

* ``n = 3``                          the single value 3;
* ``n = [lo, hi]``                   every n in {lo, ..., hi} (a finite range);
* ``n = "any"``                      every n >= 1, checked on the sample window [1, 5];
* ``n = { min = 2, sample = [2, 6] }`` every n >= min, checked on the sample window (default
  [min, min + 4]).

``proved`` always means the whole declared scope: every shape of a finite scope decided exactly,
or a dimension-generic proof.  Variables
(``vars``: matrices with a ``shape`` of ints, dim names or dim expressions such as "n*p" or
"n+1", or scalars without one, each with
``assume`` assumptions), a ``statement`` with exactly one relation, optional ``given`` side
conditions (scalar relations restricting the instances) and an optional ``expect`` ("holds" or
"fails"), which is compared with the verdict but never used to decide it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ..errors import ClaimError
from ..language.parser import GRADIENTS, Relation, check_identifier, parse_relation
from ..language.shapes import dim_expression
from ..result import EXPECTATIONS
from .premises import Premise, classify, sample_assumptions

ASSUMPTIONS = (
    "symmetric", "psd", "pd", "invertible", "full_rank", "rank_deficient", "orthogonal",
    "projector", "nonnegative", "positive", "nonzero", "nsd", "nd", "idempotent", "nilpotent",
    "diagonal", "upper_triangular", "lower_triangular", "skew_symmetric", "permutation", "stochastic",
    "toeplitz", "circulant", "involutory",
)
# nsd / nd: negative semidefinite / definite (symmetric); idempotent: A @ A == A (not necessarily
# symmetric; a symmetric idempotent is a projector); nilpotent: A**n == 0 for n x n A;
# skew_symmetric: A.T == -A; permutation: a 0/1 matrix with one 1 in every row and column;
# stochastic: entrywise nonnegative with every row summing to 1 (may be rectangular); toeplitz:
# A_ij depends on i - j only (may be rectangular); circulant: A_ij depends on (j - i) mod n;
# involutory: A @ A == I
SYMMETRIC_ASSUMPTIONS = frozenset({"symmetric", "psd", "pd", "nsd", "nd", "projector"})
STRUCTURAL = ("diagonal", "upper_triangular", "lower_triangular", "skew_symmetric", "permutation",
              "stochastic", "toeplitz", "circulant", "involutory")
SQUARE_ONLY = set(SYMMETRIC_ASSUMPTIONS) | {"invertible", "orthogonal", "idempotent", "nilpotent"} | (
    set(STRUCTURAL) - {"stochastic", "toeplitz"})
MATRIX_ONLY = SQUARE_ONLY | {"full_rank", "rank_deficient", "stochastic", "toeplitz"}
# the assumptions each structural assumption may be combined with: every other combination is either
# contradictory or not reached by a generator, and is refused with a one-line error naming it
_RANKS = {"invertible", "full_rank", "rank_deficient", "nonzero"}
COMPANIONS: dict[str, set[str]] = {
    "diagonal": _RANKS | {"symmetric", "psd", "pd", "nsd", "nd", "nonnegative", "projector", "idempotent",
                          "orthogonal", "involutory", "upper_triangular", "lower_triangular", "toeplitz",
                          "circulant"},
    "upper_triangular": _RANKS | {"nonnegative", "nilpotent", "diagonal"},
    "lower_triangular": _RANKS | {"nonnegative", "nilpotent", "diagonal"},
    "skew_symmetric": _RANKS | {"orthogonal", "toeplitz", "circulant"},
    "permutation": {"invertible", "full_rank", "nonzero", "orthogonal", "nonnegative", "symmetric",
                    "involutory", "stochastic", "circulant"},
    "stochastic": _RANKS | {"nonnegative", "positive", "symmetric", "idempotent", "permutation", "circulant"},
    "toeplitz": _RANKS | {"symmetric", "nonnegative", "positive", "circulant", "diagonal", "skew_symmetric"},
    "circulant": _RANKS | {"symmetric", "nonnegative", "positive", "toeplitz", "stochastic", "permutation",
                           "diagonal", "skew_symmetric"},
    "involutory": {"invertible", "full_rank", "nonzero", "symmetric", "orthogonal", "permutation",
                   "diagonal"},
}
CONFLICTS = [
    ({"pd", "rank_deficient"}, "a positive definite matrix has full rank"),
    ({"invertible", "rank_deficient"}, "an invertible matrix has full rank"),
    ({"full_rank", "rank_deficient"}, "a matrix cannot be both full rank and rank deficient"),
    ({"orthogonal", "rank_deficient"}, "an orthogonal matrix is invertible"),
    ({"orthogonal", "psd"}, "the only orthogonal positive semidefinite matrix is I; state it directly"),
    ({"orthogonal", "pd"}, "the only orthogonal positive definite matrix is I; state it directly"),
    ({"orthogonal", "projector"}, "the only orthogonal projector that is orthogonal is I"),
    ({"pd", "projector"}, "the only positive definite projector is I"),
    ({"invertible", "projector"}, "the only invertible projector is I"),
    (
        {"positive", "rank_deficient"},
        "entrywise positive rank-deficient matrices are not generated; use nonnegative",
    ),
    *[
        ({a, b}, why)
        for a, b, why in [
            ("nd", "rank_deficient", "a negative definite matrix has full rank"),
            ("nsd", "psd", "the only matrix both psd and nsd is 0; state it directly"),
            ("nd", "psd", "a negative definite matrix is not psd"),
            ("nd", "pd", "nd and pd exclude each other"),
            ("nsd", "pd", "a pd matrix is not nsd"),
            ("nd", "nsd", "nd already implies nsd; use one"),
            ("nd", "projector", "a projector is psd"),
            ("nsd", "projector", "the only nsd projector is 0"),
            ("nd", "orthogonal", "the only orthogonal nd matrix is -I; state it directly"),
            ("nsd", "orthogonal", "the only orthogonal nsd matrix is -I; state it directly"),
            ("nd", "nonnegative", "a negative definite matrix has a negative diagonal"),
            ("nd", "positive", "a negative definite matrix has a negative diagonal"),
            ("nsd", "nonnegative", "the only entrywise nonnegative nsd matrix is 0"),
            ("nsd", "positive", "an nsd matrix has a nonpositive diagonal"),
            ("idempotent", "invertible", "the only invertible idempotent is I"),
            ("idempotent", "full_rank", "the only full-rank idempotent is I"),
            ("idempotent", "pd", "the only positive definite idempotent is I"),
            ("idempotent", "nd", "an idempotent has eigenvalues 0 and 1"),
            ("idempotent", "orthogonal", "the only orthogonal idempotent is I"),
            ("projector", "full_rank", "the only full-rank projector is I"),
            ("nilpotent", "invertible", "a nilpotent matrix is singular"),
            ("nilpotent", "full_rank", "a nilpotent matrix is singular"),
            ("nilpotent", "pd", "a nilpotent matrix is singular"),
            ("nilpotent", "nd", "a nilpotent matrix is singular"),
            ("nilpotent", "orthogonal", "a nilpotent matrix is singular"),
            ("nilpotent", "symmetric", "the only symmetric nilpotent matrix is 0"),
            ("nilpotent", "psd", "the only psd nilpotent matrix is 0"),
            ("nilpotent", "nsd", "the only nsd nilpotent matrix is 0"),
            ("nilpotent", "projector", "the only nilpotent projector is 0"),
            ("nilpotent", "idempotent", "the only nilpotent idempotent is 0"),
            ("nilpotent", "positive", "an entrywise positive matrix has a positive (Perron) eigenvalue"),
            ("skew_symmetric", "symmetric", "the only symmetric skew-symmetric matrix is 0"),
            ("skew_symmetric", "psd", "the only psd skew-symmetric matrix is 0"),
            ("skew_symmetric", "pd", "a skew-symmetric matrix has a zero diagonal"),
            ("skew_symmetric", "nonnegative", "the only nonnegative skew-symmetric matrix is 0"),
            ("skew_symmetric", "positive", "a skew-symmetric matrix has a zero diagonal"),
            ("skew_symmetric", "diagonal", "the only diagonal skew-symmetric matrix is 0"),
            ("permutation", "rank_deficient", "a permutation matrix is invertible"),
            ("permutation", "nilpotent", "a permutation matrix is invertible"),
            ("permutation", "positive", "a permutation matrix has zero entries (n >= 2); use stochastic"),
            ("involutory", "nilpotent", "an involutory matrix is invertible"),
            ("involutory", "rank_deficient", "an involutory matrix is invertible"),
            ("involutory", "idempotent", "the only involutory idempotent is I"),
            ("diagonal", "positive", "a diagonal matrix has zero entries (n >= 2); use nonnegative"),
            ("upper_triangular", "positive", "a triangular matrix has zero entries (n >= 2)"),
            ("lower_triangular", "positive", "a triangular matrix has zero entries (n >= 2)"),
            ("stochastic", "nilpotent", "a stochastic matrix has the eigenvalue 1"),
            ("stochastic", "nd", "a stochastic matrix is entrywise nonnegative"),
            ("stochastic", "nsd", "a stochastic matrix has the eigenvalue 1"),
        ]
    ],
]
MAX_DIM = 64
DEFAULT_SAMPLE_WIDTH = 4


@dataclass(frozen=True)
class DimScope:
    """What a claim says about one dimension.

    ``kind`` is "fixed" (lo == hi), "range" (every integer in [lo, hi]) or "unbounded" (every integer
    >= lo); ``sample`` is the window instances are drawn from (for fixed and range: [lo, hi]).
    """

    kind: str
    lo: int
    hi: int | None
    sample: tuple[int, int]

    @property
    def finite(self) -> bool:
        return self.kind != "unbounded"

    def describe(self) -> str:
        if self.kind == "fixed":
            return str(self.lo)
        if self.kind == "range":
            return f"[{self.lo}, {self.hi}]"
        return f">= {self.lo} (sampled on [{self.sample[0]}, {self.sample[1]}])"

    def values(self) -> range:
        """Every value of a finite scope."""
        if not self.finite:
            raise ValueError("an unbounded scope has no finite list of values")
        return range(self.lo, self.hi + 1)  # type: ignore[operator]
# assumptions that tie entries together: a gradient with respect to such a variable is ambiguous
TIED_ENTRIES = set(SYMMETRIC_ASSUMPTIONS) | {"orthogonal", "rank_deficient", "idempotent", "nilpotent"} | set(
    STRUCTURAL)


# a symmetric-matrix gradient needs a variable that ranges over (an open part of) the symmetric matrices
SYM_GRAD_ASSUMPTIONS = frozenset({"symmetric", "psd", "pd", "nsd", "nd"})


def _check_gradient_target(fname: str, target: str, vars: Mapping[str, "Var"]) -> None:
    """grad(f, X) needs X with independent entries; grad_sym / grad_entries_sym need a symmetric X
    (symmetric, psd, pd, nsd or nd) and no other assumption that ties its entries together."""
    if target not in vars:
        raise ClaimError(f"{fname}(f, {target}): {target} must be a variable")
    assume = set(vars[target].assume)
    if fname == "grad":
        if assume & TIED_ENTRIES:
            raise ClaimError(
                f"grad with respect to {target}, which has a structural assumption "
                f"({', '.join(vars[target].assume)}), is not defined; use a plain variable "
                f"(or grad_sym for a symmetric one)"
            )
        return
    if not assume & SYM_GRAD_ASSUMPTIONS or assume & (TIED_ENTRIES - SYM_GRAD_ASSUMPTIONS):
        raise ClaimError(
            f"{fname}(f, {target}) needs {target} declared symmetric (symmetric, psd, pd, nsd or nd, "
            f"nothing else tying its entries), got assume = {sorted(assume)}"
        )


@dataclass(frozen=True)
class Var:
    """A variable: ``shape`` is None for a scalar, else (rows, cols) of dim names or ints.

    ``sample_assume``: assumptions its instances are *drawn* with because a given premise says the
    same (``A @ A == A`` draws idempotents); never checked as assumptions (the given is)."""

    name: str
    shape: tuple[str | int, str | int] | None = None
    assume: tuple[str, ...] = ()
    sample_assume: tuple[str, ...] = ()

    @property
    def is_scalar(self) -> bool:
        return self.shape is None


@dataclass
class Claim:
    name: str
    statement: str
    dims: dict[str, int | tuple[int, int]] = field(default_factory=dict)
    scope: dict[str, DimScope] = field(default_factory=dict)
    vars: dict[str, Var] = field(default_factory=dict)
    given: list[str] = field(default_factory=list)
    expect: str | None = None
    relation: Relation = field(init=False, repr=False)
    given_relations: list[Relation] = field(init=False, repr=False)
    premises: list[Premise] = field(init=False, repr=False)

    def __init__(self, name: str, statement: str, dims: Mapping[str, Any] | None = None,
                 vars: Mapping[str, Any] | None = None, given: list[str] | None = None,
                 expect: str | None = None) -> None:
        self.name = _claim_name(name)
        self.scope = _parse_dims(dims or {})
        # the window instances are drawn from: an int, or (lo, hi)
        self.dims = {
            k: (v.sample[0] if v.sample[0] == v.sample[1] else v.sample) for k, v in self.scope.items()
        }
        self.vars = _parse_vars(vars or {}, self.dims)
        self.statement = statement
        self.relation = parse_relation(statement)
        self.given = list(given or [])
        if not isinstance(self.given, list) or not all(isinstance(g, str) for g in self.given):
            raise ClaimError("given must be a list of strings")
        self.given_relations = [parse_relation(g, what="given condition") for g in self.given]
        self.premises = _premises(self.given_relations, self.vars)
        if expect is not None and expect not in EXPECTATIONS:
            raise ClaimError(f"expect must be 'holds' or 'fails', got {expect!r}")
        self.expect = expect
        known = set(self.vars) | set(self.dims)
        for rel in [self.relation, *self.given_relations]:
            unknown = sorted(rel.names() - known)
            if unknown:
                raise ClaimError(
                    f"unknown name {unknown[0]!r} in {rel.text!r} (declare it under [vars] or [dims])"
                )
        for rel in [self.relation, *self.given_relations]:
            for node in [*rel.lhs.walk(), *rel.rhs.walk()]:
                if node.op in ("sum", "prod", "index"):
                    raise ClaimError(
                        f"{rel.text!r}: sums, products and family members W[i] are written out per "
                        "depth from a claim file (verify.claims.families.expand_claim); a Claim takes "
                        "the written-out form"
                    )
                if node.op == "call" and node.value in GRADIENTS:
                    _check_gradient_target(node.value, node.args[1].value, self.vars)

    @property
    def dim_names(self) -> list[str]:
        return list(self.dims)

    @property
    def scope_is_finite(self) -> bool:
        return all(s.finite for s in self.scope.values())

    def scope_size(self) -> int | None:
        """Number of dimension assignments in the declared scope (None if unbounded)."""
        if not self.scope_is_finite:
            return None
        out = 1
        for s in self.scope.values():
            out *= len(s.values())
        return out

    def describe_scope(self) -> dict[str, str]:
        return {k: v.describe() for k, v in self.scope.items()}


def _premises(given: list[Relation], vars: dict[str, Var]) -> list[Premise]:
    """Classify the given conditions (``verify.claims.premises``) and give every variable the
    assumptions its single-variable premises imply as *sampling* assumptions, unless they
    contradict its own assumptions (then the given filters the instances as drawn)."""
    matrices = {n for n, v in vars.items() if not v.is_scalar}
    out = [classify(g, matrices) for g in given]
    for name, extra in sample_assumptions(out).items():
        var = vars[name]
        if var.shape is None or var.shape[0] != var.shape[1]:
            continue
        add = [a for a in extra if a not in var.assume]
        full = set(var.assume) | set(add)
        if add and not any(pair <= full for pair, _ in CONFLICTS) and _companions_ok(full) is None:
            vars[name] = Var(var.name, var.shape, var.assume, tuple(dict.fromkeys(add)))
    return out


def _companions_ok(aset: set[str]) -> str | None:
    """None when every structural assumption in ``aset`` allows the others; else the reason."""
    for a in sorted(aset & set(STRUCTURAL)):
        bad = sorted(aset - COMPANIONS[a] - {a})
        if bad:
            return f"{a} together with {bad[0]} is not supported (no generator reaches that set)"
    return None


def _claim_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > 120:
        raise ClaimError("every claim needs a non-empty name (at most 120 characters)")
    return name.strip()


def _parse_dims(dims: Mapping[str, Any]) -> dict[str, DimScope]:
    out: dict[str, DimScope] = {}
    if not isinstance(dims, Mapping):
        raise ClaimError(
            'dims must be a table of name = int, [lo, hi], "any" or { min = k, sample = [lo, hi] }'
        )
    for name, spec in dims.items():
        check_identifier(name, "dimension name")
        out[name] = _dim_scope(name, spec)
        hi = out[name].sample[1] if out[name].hi is None else out[name].hi
        if hi > MAX_DIM:
            from ..errors import ResourceLimitError

            raise ResourceLimitError(f"dimension {name} = {hi} is too large: at most {MAX_DIM} per dimension "
                                     "can be checked at high precision")
    return out


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _pair(v: Any) -> bool:
    return isinstance(v, (list, tuple)) and len(v) == 2 and all(_is_int(x) for x in v)


def _dim_scope(name: str, spec: Any) -> DimScope:
    want = "an int or [lo, hi], \"any\", { min = k, sample = [lo, hi] }"
    if isinstance(spec, DimScope):
        return spec
    if _is_int(spec):
        if spec < 1:
            raise ClaimError(f"dimension {name}: need a positive size, got {spec!r}")
        return DimScope("fixed", spec, spec, (spec, spec))
    if _pair(spec):
        lo, hi = spec
        if lo < 1 or hi < lo:
            raise ClaimError(f"dimension {name}: need 1 <= lo <= hi, got {list(spec)!r}")
        return DimScope("fixed" if lo == hi else "range", lo, hi, (lo, hi))
    if spec == "any":
        return DimScope("unbounded", 1, None, (1, 1 + DEFAULT_SAMPLE_WIDTH))
    if isinstance(spec, Mapping):
        extra = set(spec) - {"min", "sample"}
        if extra or "min" not in spec:
            raise ClaimError(
                f"dimension {name}: a table scope needs min (and optionally sample), got {dict(spec)!r}"
            )
        lo = spec["min"]
        if not _is_int(lo) or lo < 1:
            raise ClaimError(f"dimension {name}: min must be an int >= 1, got {lo!r}")
        sample = spec.get("sample", [lo, lo + DEFAULT_SAMPLE_WIDTH])
        if not _pair(sample) or sample[0] < lo or sample[1] < sample[0]:
            raise ClaimError(
                f"dimension {name}: sample must be [lo, hi] with min <= lo <= hi, got {sample!r}"
            )
        return DimScope("unbounded", lo, None, (sample[0], sample[1]))
    raise ClaimError(f"dimension {name}: expected {want}, got {spec!r}")


def _parse_vars(vars: Mapping[str, Any], dims: dict) -> dict[str, Var]:
    """The claim's variables from their table: name = { shape = [rows, cols], assume = [...] } (no shape:
    a scalar), each checked against the dimensions ``dims`` and the known assumptions."""
    if not isinstance(vars, Mapping):
        raise ClaimError("vars must be a table of name = { shape = [...], assume = [...] }")
    out: dict[str, Var] = {}
    for name, spec in vars.items():
        check_identifier(name, "variable name")
        if name in dims:
            raise ClaimError(f"{name!r} is declared both as a dimension and as a variable")
        if isinstance(spec, Var):
            spec = {"shape": spec.shape, "assume": list(spec.assume)}
        if spec is None:
            spec = {}
        if not isinstance(spec, Mapping):
            raise ClaimError(f"variable {name}: expected a table like {{ shape = [\"m\", \"k\"] }}")
        extra = set(spec) - {"shape", "assume"}
        if extra:
            raise ClaimError(f"variable {name}: unknown field {sorted(extra)[0]!r} (use shape, assume)")
        shape = _parse_var_shape(name, spec.get("shape"), dims)
        assume = _parse_var_assume(name, spec.get("assume", []), shape, dims)
        out[name] = Var(name, shape, tuple(dict.fromkeys(assume)))
    return out


def _parse_var_shape(name: str, shape: Any, dims: dict) -> tuple | None:
    """A variable's shape (rows, cols) of dimension names or expressions over ``dims``, or sizes in
    1..MAX_DIM; None for a scalar."""
    if shape is None:
        return None
    if not isinstance(shape, (list, tuple)) or len(shape) != 2:
        raise ClaimError(f"variable {name}: shape must be [rows, cols]")
    for s in shape:
        if isinstance(s, bool) or not isinstance(s, (int, str)):
            raise ClaimError(f"variable {name}: shape entries are dim names or ints, got {s!r}")
        if isinstance(s, int) and not 1 <= s <= MAX_DIM:
            from ..errors import ResourceLimitError

            if s > MAX_DIM:
                raise ResourceLimitError(
                    f"variable {name}: size {s} is too large (at most {MAX_DIM})"
                )
            raise ClaimError(f"variable {name}: sizes must be positive, got {s}")
        if isinstance(s, str) and s not in dims:
            unknown = sorted(dim_expression(s).names() - set(dims))
            if unknown:
                raise ClaimError(f"variable {name}: shape uses unknown dimension {unknown[0]!r}")
    return (shape[0], shape[1])


def _parse_var_assume(name: str, assume: Any, shape: tuple | None, dims: dict) -> list[str]:
    """A variable's assumptions: known names, not contradictory, matrix-only ones only with a shape,
    square-only ones only with a shape that is square for ``dims``."""
    if isinstance(assume, str):
        assume = [assume]
    if not isinstance(assume, (list, tuple)) or not all(isinstance(a, str) for a in assume):
        raise ClaimError(f"variable {name}: assume must be a list of names")
    for a in assume:
        if a not in ASSUMPTIONS:
            raise ClaimError(
                f"variable {name}: unknown assumption {a!r} (known: {', '.join(ASSUMPTIONS)})"
            )
    aset = set(assume)
    for pair, why in CONFLICTS:
        if pair <= aset:
            raise ClaimError(
                f"variable {name}: assumptions {' and '.join(sorted(pair))} are contradictory ({why})"
            )
    why = _companions_ok(aset)
    if why:
        raise ClaimError(f"variable {name}: assumptions {why}")
    if shape is None and aset & MATRIX_ONLY:
        raise ClaimError(
            f"variable {name}: assumption {sorted(aset & MATRIX_ONLY)[0]} needs a matrix (give a shape)"
        )
    if shape is not None and aset & SQUARE_ONLY and shape[0] != shape[1]:
        r, c = shape
        rv, cv = (dims.get(r) if isinstance(r, str) else r), (dims.get(c) if isinstance(c, str) else c)
        if not (isinstance(rv, int) and rv == cv):
            raise ClaimError(
                f"variable {name}: {sorted(aset & SQUARE_ONLY)[0]} needs a square shape, got [{r}, {c}]"
            )
    return assume

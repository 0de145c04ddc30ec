"""``Claim``: a relation between two expressions over typed variables, with side conditions.

A claim has dimensions (``dims``: a fixed int, or ``[lo, hi]`` sampled per instance), variables
(``vars``: matrices with a ``shape`` of ints, dim names or dim expressions such as "n*p" or "n+1", or
scalars without one, each with ``assume`` assumptions), a ``statement`` with exactly one relation,
optional ``given`` side conditions (scalar relations restricting the instances) and an optional
``expect`` ("holds" or "fails"), which is compared with the verdict but never used to decide it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ..errors import ClaimError
from ..language.parser import Relation, check_identifier, parse_relation
from ..language.shapes import dim_expression
from ..result import EXPECTATIONS

ASSUMPTIONS = (
    "symmetric", "psd", "pd", "invertible", "full_rank", "rank_deficient", "orthogonal",
    "projector", "nonnegative", "positive", "nonzero",
)
SQUARE_ONLY = {"symmetric", "psd", "pd", "invertible", "orthogonal", "projector"}
MATRIX_ONLY = SQUARE_ONLY | {"full_rank", "rank_deficient"}
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
]
MAX_DIM = 64
# assumptions that tie entries together: a gradient with respect to such a variable is ambiguous
TIED_ENTRIES = {"symmetric", "psd", "pd", "orthogonal", "projector", "rank_deficient"}


@dataclass(frozen=True)
class Var:
    """A variable: ``shape`` is None for a scalar, else (rows, cols) of dim names or ints."""

    name: str
    shape: tuple[str | int, str | int] | None = None
    assume: tuple[str, ...] = ()

    @property
    def is_scalar(self) -> bool:
        return self.shape is None


@dataclass
class Claim:
    name: str
    statement: str
    dims: dict[str, int | tuple[int, int]] = field(default_factory=dict)
    vars: dict[str, Var] = field(default_factory=dict)
    given: list[str] = field(default_factory=list)
    expect: str | None = None
    relation: Relation = field(init=False, repr=False)
    given_relations: list[Relation] = field(init=False, repr=False)

    def __init__(self, name: str, statement: str, dims: Mapping[str, Any] | None = None,
                 vars: Mapping[str, Any] | None = None, given: list[str] | None = None,
                 expect: str | None = None) -> None:
        self.name = _claim_name(name)
        self.dims = _parse_dims(dims or {})
        self.vars = _parse_vars(vars or {}, self.dims)
        self.statement = statement
        self.relation = parse_relation(statement)
        self.given = list(given or [])
        if not isinstance(self.given, list) or not all(isinstance(g, str) for g in self.given):
            raise ClaimError("given must be a list of strings")
        self.given_relations = [parse_relation(g, what="given condition") for g in self.given]
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
                if node.op == "call" and node.value == "grad":
                    target = node.args[1].value
                    if target not in self.vars:
                        raise ClaimError(f"grad(f, {target}): {target} must be a variable")
                    if set(self.vars[target].assume) & TIED_ENTRIES:
                        raise ClaimError(
                            f"grad with respect to {target}, which has a structural assumption "
                            f"({', '.join(self.vars[target].assume)}), is not defined; use a plain variable"
                        )

    @property
    def dim_names(self) -> list[str]:
        return list(self.dims)


def _claim_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > 120:
        raise ClaimError("every claim needs a non-empty name (at most 120 characters)")
    return name.strip()


def _parse_dims(dims: Mapping[str, Any]) -> dict[str, int | tuple[int, int]]:
    out: dict[str, int | tuple[int, int]] = {}
    if not isinstance(dims, Mapping):
        raise ClaimError("dims must be a table of name = int or [lo, hi]")
    for name, spec in dims.items():
        check_identifier(name, "dimension name")
        if isinstance(spec, bool):
            raise ClaimError(f"dimension {name}: expected an int or [lo, hi], got {spec!r}")
        if isinstance(spec, int):
            lo = hi = spec
        elif (
            isinstance(spec, (list, tuple))
            and len(spec) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in spec)
        ):
            lo, hi = spec
        else:
            raise ClaimError(f"dimension {name}: expected an int or [lo, hi], got {spec!r}")
        if lo < 1 or hi < lo:
            raise ClaimError(f"dimension {name}: need 1 <= lo <= hi, got {spec!r}")
        if hi > MAX_DIM:
            from ..errors import ResourceLimitError

            raise ResourceLimitError(f"dimension {name} = {hi} is too large: at most {MAX_DIM} per dimension "
                                     "can be checked at high precision")
        out[name] = lo if lo == hi else (lo, hi)
    return out


def _parse_vars(vars: Mapping[str, Any], dims: dict) -> dict[str, Var]:
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
        shape = spec.get("shape")
        if shape is not None:
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
            shape = (shape[0], shape[1])
        assume = spec.get("assume", [])
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
        out[name] = Var(name, shape, tuple(dict.fromkeys(assume)))
    return out

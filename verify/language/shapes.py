"""Shape inference on concrete dimensions, with errors that name the offending sub-expression.

Every value is a matrix; a scalar is 1 x 1, and a 1 x 1 matrix is a scalar wherever one is expected.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Mapping

from ..errors import ClaimError, ResourceLimitError
from .parser import Node, parse_expression, unparse

Shape = tuple[int, int]
MAX_ENTRIES = 40_000      # per intermediate matrix (200 x 200) for exact / high-precision engines
MAX_SIDE = 4096


def _scalar(s: Shape) -> bool:
    return s == (1, 1)


def int_value(node: Node, dims: Mapping[str, int]) -> int:
    """Integer value of an argument of eye/zeros: int literals and dims with + - *."""
    if node.op == "num":
        if node.value.denominator != 1:
            raise ClaimError(f"expected an integer size, got {unparse(node)}")
        return int(node.value)
    if node.op == "name" and node.value in dims:
        return int(dims[node.value])
    if node.op in ("add", "sub", "mul"):
        a, b = (int_value(x, dims) for x in node.args)
        return a + b if node.op == "add" else a - b if node.op == "sub" else a * b
    raise ClaimError(
        f"sizes (of eye, zeros, ones, a shape, k of eig/sigma, indices of unit/entry) must be integers or "
        f"dimensions with + - *, got {unparse(node)!r}"
    )


def dim_value(spec: str | int, dims: Mapping[str, int]) -> int:
    """The size named by a shape entry: an int, a dimension, or a dimension expression ("n*p", "n+1")."""
    if isinstance(spec, int):
        return spec
    if spec in dims:
        return int(dims[spec])
    v = int_value(dim_expression(spec), dims)
    if v < 1:
        raise ClaimError(f"shape entry {spec!r} is {v} at dims {dict(dims)}; sizes must be positive")
    return v


@lru_cache(maxsize=512)
def dim_expression(spec: str) -> Node:
    """Parse a derived dimension such as "n*p" or "n+1": integers and dimension names with + - *."""
    node = parse_expression(spec, "shape entry")
    for n in node.walk():
        if n.op not in ("num", "name", "add", "sub", "mul") or (n.op == "num" and n.value.denominator != 1):
            raise ClaimError(
                f"shape entry {spec!r}: only integers and dimension names with + - * are allowed"
            )
    return node


def infer(node: Node, dims: Mapping[str, int], shapes: Mapping[str, Shape]) -> Shape:
    s = _infer(node, dims, shapes)
    if s[0] * s[1] > MAX_ENTRIES or max(s) > MAX_SIDE:
        raise ResourceLimitError(
            f"{unparse(node)!r} would be a {s[0]} x {s[1]} matrix ({s[0] * s[1]:,} entries) at dims "
            f"{dict(dims)}; the limit is {MAX_ENTRIES:,} entries")
    return s


def _infer(node: Node, dims: Mapping[str, int], shapes: Mapping[str, Shape]) -> Shape:
    op = node.op
    txt = lambda: unparse(node)  # noqa: E731
    if op == "num":
        return (1, 1)
    if op == "name":
        if node.value in shapes:
            return shapes[node.value]
        if node.value in dims:
            return (1, 1)
        raise ClaimError(f"unknown name {node.value!r}")
    if op == "T":
        r, c = infer(node.args[0], dims, shapes)
        return (c, r)
    if op == "neg":
        return infer(node.args[0], dims, shapes)
    if op in ("add", "sub"):
        a, b = (infer(x, dims, shapes) for x in node.args)
        if a != b:
            raise ClaimError(
                f"shape mismatch in {txt()!r}: {a[0]}x{a[1]} {'+' if op == 'add' else '-'} {b[0]}x{b[1]}"
            )
        return a
    if op == "mul":
        a, b = (infer(x, dims, shapes) for x in node.args)
        if _scalar(a):
            return b
        if _scalar(b):
            return a
        raise ClaimError(f"'*' is scalar multiplication, but both sides of {txt()!r} are matrices "
                         f"({a[0]}x{a[1]}, {b[0]}x{b[1]}); use '@' for the matrix product")
    if op == "div":
        a, b = (infer(x, dims, shapes) for x in node.args)
        if not _scalar(b):
            raise ClaimError(f"division by a {b[0]}x{b[1]} matrix in {txt()!r}; use inv(...)")
        return a
    if op == "matmul":
        a, b = (infer(x, dims, shapes) for x in node.args)
        if a[1] != b[0]:
            raise ClaimError(f"shape mismatch in {txt()!r}: {a[0]}x{a[1]} @ {b[0]}x{b[1]}")
        return (a[0], b[1])
    if op == "pow":
        a, b = (infer(x, dims, shapes) for x in node.args)
        if not _scalar(b):
            raise ClaimError(f"exponent in {txt()!r} must be a scalar")
        if _scalar(a):
            return a
        if a[0] != a[1]:
            raise ClaimError(f"matrix power of a non-square {a[0]}x{a[1]} matrix in {txt()!r}")
        e = node.args[1]
        if e.op != "num" or e.value.denominator != 1 or abs(e.value) > 64:
            raise ClaimError(f"a matrix power needs an integer literal exponent |k| <= 64 in {txt()!r}")
        return a
    if op == "call":
        return _infer_call(node, dims, shapes)
    raise ClaimError(f"cannot infer the shape of {txt()!r}")


def _infer_call(node: Node, dims, shapes) -> Shape:
    f = node.value
    txt = unparse(node)
    if f == "eye":
        n = int_value(node.args[0], dims)
        if n < 1:
            raise ClaimError(f"{txt}: size must be positive")
        return (n, n)
    if f in ("zeros", "ones"):
        r, c = (int_value(a, dims) for a in node.args)
        if r < 1 or c < 1:
            raise ClaimError(f"{txt}: sizes must be positive")
        return (r, c)
    if f == "unit":
        n, i = (int_value(a, dims) for a in node.args)
        if n < 1 or not 1 <= i <= n:
            raise ClaimError(f"{txt}: index {i} is outside 1..{n} (unit(n, i) is the i-th column of eye(n))")
        return (n, 1)
    if f == "entry":
        r, c = infer(node.args[0], dims, shapes)
        i, j = (int_value(a, dims) for a in node.args[1:])
        if not (1 <= i <= r and 1 <= j <= c):
            raise ClaimError(f"{txt}: index ({i}, {j}) is outside 1..{r} x 1..{c} for a {r}x{c} matrix")
        return (1, 1)
    if f in ("grad", "grad_sym", "grad_entries_sym"):
        fs = infer(node.args[0], dims, shapes)
        if not _scalar(fs):
            raise ClaimError(f"{txt}: f must be scalar, got {fs[0]}x{fs[1]}")
        return infer(node.args[1], dims, shapes)
    if f in ("eig", "sigma"):
        r, c = infer(node.args[0], dims, shapes)
        if f == "eig" and r != c:
            raise ClaimError(f"eig needs a square symmetric matrix, got {r}x{c} in {txt!r}")
        k = int_value(node.args[1], dims)
        if not 1 <= k <= min(r, c):
            raise ClaimError(f"{txt}: k = {k} is outside 1..{min(r, c)} for a {r}x{c} matrix")
        return (1, 1)
    args = [infer(a, dims, shapes) for a in node.args]
    if f in _STRUCTURAL:
        return _structural_shape(f, args, txt)
    return _function_shape(f, args, txt)


_STRUCTURAL = ("diag", "diagvec", "hadamard", "hadamard_pow", "relu", "step", "hstack", "vstack")


def _structural_shape(f: str, args: list[Shape], txt: str) -> Shape:
    """Shape of diag/diagvec, the entrywise functions and the stacks, from their arguments' shapes."""
    if f == "diag":
        r, c = args[0]
        if 1 not in (r, c):
            raise ClaimError(f"diag takes a vector (n x 1 or 1 x n), got {r}x{c} in {txt!r}; "
                             "use diag(diagvec(A)) for the diagonal part of a matrix")
        return (r * c, r * c)
    if f == "diagvec":
        r, c = args[0]
        if r != c:
            raise ClaimError(f"diagvec needs a square matrix, got {r}x{c} in {txt!r}")
        return (r, 1)
    if f == "hadamard":
        if args[0] != args[1]:
            (a, b), (c, d) = args
            raise ClaimError(
                f"hadamard needs two matrices of the same shape, got {a}x{b} and {c}x{d} in {txt!r}"
            )
        return args[0]
    if f == "hadamard_pow":
        if not _scalar(args[1]):
            raise ClaimError(f"hadamard_pow(A, p): p must be a scalar in {txt!r}")
        return args[0]
    if f in ("relu", "step"):
        return args[0]
    if f in ("hstack", "vstack"):
        i = 0 if f == "hstack" else 1
        if len({a[i] for a in args}) != 1:
            what = "row" if f == "hstack" else "column"
            got = ", ".join(f"{a[0]}x{a[1]}" for a in args)
            raise ClaimError(f"{f} needs equal {what} counts, got {got} in {txt!r}")
        total = sum(a[1 - i] for a in args)
        return (args[0][0], total) if f == "hstack" else (total, args[0][1])
    raise ClaimError(f"unknown function {f!r}")


def _function_shape(f: str, args: list[Shape], txt: str) -> Shape:
    """Shape of the remaining functions (norms, vec, kron, the square-matrix functions, pinv, proj,
    the scalar functions) from their arguments' shapes; an unknown name is an error."""
    if f in ("norm1", "norm2", "norminf", "nuclear"):
        return (1, 1)
    if f == "vec":
        r, c = args[0]
        return (r * c, 1)
    if f == "kron":
        (a, b), (c, d) = args
        return (a * c, b * d)
    if f in ("tr", "det", "inv", "eigmin", "eigmax", "expm", "sqrtm", "logm"):
        r, c = args[0]
        if r != c:
            raise ClaimError(f"{f} needs a square matrix, got {r}x{c} in {txt!r}")
        return args[0] if f in ("inv", "expm", "sqrtm", "logm") else (1, 1)
    if f == "pinv":
        r, c = args[0]
        return (c, r)
    if f == "proj":
        return (args[0][0], args[0][0])
    if f in ("norm", "sigma_min", "sigma_max", "sigma_small", "rank"):
        return (1, 1)
    if f in ("exp", "log", "sqrt", "abs", "min", "max"):
        for a in args:
            if not _scalar(a):
                hint = " (use expm for the matrix exponential)" if f == "exp" else ""
                raise ClaimError(f"{f} takes scalars, got a {a[0]}x{a[1]} matrix in {txt!r}{hint}")
        return (1, 1)
    raise ClaimError(f"unknown function {f!r}")

"""Parse claim statements into a small expression tree, safely.

Python's ``ast`` module is used only to *parse* (it never evaluates); the tree is then walked with a
whitelist: numbers, names, ``+ - * / ** @``, unary minus, ``.T``, calls of the functions in
``FUNCTIONS``, ``sum``/``prod`` over an index, a family member ``W[i]``, and exactly one relation
(``== <= >= < >``) at the top.  Anything else (attributes other than ``.T``, other subscripts,
lambdas, comprehensions, strings, keywords, dunder names) is a ``ClaimError`` naming what was found.
Numeric literals are exact: ``0.1`` is 1/10 and ``6/25`` is the rational 6/25.
"""
from __future__ import annotations

import ast
import keyword
import re
from dataclasses import dataclass
from fractions import Fraction

from ..errors import ClaimError

MAX_STATEMENT_CHARS = 2000
MAX_NODES = 600
MAX_LITERAL_CHARS = 40

# name -> (min args, max args or None); see ``verify.engines.evaluate`` for the semantics.
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "vec": (1, 1), "kron": (2, 2), "eye": (1, 1), "zeros": (2, 2), "tr": (1, 1), "det": (1, 1),
    "inv": (1, 1), "pinv": (1, 1), "norm": (1, 1), "eigmin": (1, 1), "eigmax": (1, 1),
    "sigma_min": (1, 1), "sigma_max": (1, 1), "sigma_small": (1, 1), "rank": (1, 1), "proj": (1, 1),
    "expm": (1, 1), "exp": (1, 1), "log": (1, 1), "sqrt": (1, 1), "abs": (1, 1),
    "min": (2, None), "max": (2, None), "grad": (2, 2), "grad_sym": (2, 2), "grad_entries_sym": (2, 2),
    # primary matrix functions of a symmetric argument: principal square root (psd) and log (pd)
    "sqrtm": (1, 1), "logm": (1, 1),
    # structure and entrywise operations
    "diag": (1, 1), "diagvec": (1, 1), "ones": (2, 2), "hadamard": (2, 2), "hadamard_pow": (2, 2),
    "relu": (1, 1), "step": (1, 1), "hstack": (2, None), "vstack": (2, None), "block": (1, 1),
    # spectra and operator norms: eig(A, k) / sigma(A, k) are the k-th largest (k = 1 the largest)
    "eig": (2, 2), "sigma": (2, 2), "norm1": (1, 1), "norm2": (1, 1), "norminf": (1, 1),
    "nuclear": (1, 1),
    # entries and unit vectors (1-based integer or dimension-valued indices)
    "unit": (2, 2), "entry": (3, 3),
}

# the gradient functions: grad(f, X) (X's entries independent), grad_sym(f, X) = sym(grad(f, X)) (the
# gradient on the space of symmetric matrices, Frobenius inner product) and grad_entries_sym(f, X) =
# G + G^T - diag(diag(G)) (the derivative by the independent entries X_ij, i <= j: Matrix Cookbook (2.8))
GRADIENTS = ("grad", "grad_sym", "grad_entries_sym")

# sums and products over an index: sum(i, lo, hi, body) / prod(i, lo, hi, body); bodies may index a
# family of variables, W[i].  They are expanded for concrete bounds by verify.claims.families before
# any engine sees the claim (the engines never meet these nodes).
INDEXED = {"sum": "add", "prod": "matmul"}

RELATIONS = {ast.Eq: "==", ast.LtE: "<=", ast.GtE: ">=", ast.Lt: "<", ast.Gt: ">"}
_BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow",
           ast.MatMult: "matmul"}
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")


@dataclass(frozen=True)
class Node:
    """One node: ``op`` is num | name | add | sub | mul | div | pow | matmul | neg | T | call, or
    (before expansion, see ``verify.claims.families``) sum | prod | index.

    ``value`` holds the Fraction of a ``num``, the identifier of a ``name``, the function of a ``call``,
    the bound index of a ``sum``/``prod`` (args: lo, hi, body) and the family of an ``index`` (args: i).
    """

    op: str
    args: tuple["Node", ...] = ()
    value: object = None

    def walk(self):
        yield self
        for a in self.args:
            yield from a.walk()

    def names(self) -> set[str]:
        """Variable, dimension and index names, and the families indexed (``W`` of ``W[i]``)."""
        return {n.value for n in self.walk() if n.op in ("name", "index")}  # type: ignore[misc]

    def functions(self) -> set[str]:
        return {n.value for n in self.walk() if n.op == "call"}  # type: ignore[misc]

    def __str__(self) -> str:
        return unparse(self)


@dataclass(frozen=True)
class Relation:
    lhs: Node
    op: str          # one of == <= >= < >
    rhs: Node
    text: str

    def names(self) -> set[str]:
        return self.lhs.names() | self.rhs.names()

    def functions(self) -> set[str]:
        return self.lhs.functions() | self.rhs.functions()


def check_identifier(name: str, what: str = "name") -> str:
    """A variable or dimension name: letters, digits, underscore; starts with a letter; no dunder."""
    if not isinstance(name, str) or not NAME_RE.match(name) or keyword.iskeyword(name) or "__" in name:
        raise ClaimError(f"invalid {what} {name!r}: use a letter followed by letters, digits or '_'")
    if name in FUNCTIONS or name in INDEXED or name == "T":
        raise ClaimError(f"invalid {what} {name!r}: it is reserved (a function name)")
    return name


def _parse(text: str, what: str) -> ast.expr:
    if not isinstance(text, str):
        raise ClaimError(f"{what} must be a string")
    if len(text) > MAX_STATEMENT_CHARS:
        raise ClaimError(f"{what} is longer than {MAX_STATEMENT_CHARS} characters")
    if "\n" in text.strip() or ";" in text:
        raise ClaimError(f"{what} must be a single expression on one line")
    for i, ch in enumerate(text):
        if ord(ch) > 127:
            # Python's parser NFKC-folds identifiers (a fullwidth 'ｘ' becomes 'x'): refuse, never guess
            raise ClaimError(f"non-ASCII character {ch!r} (U+{ord(ch):04X}) at column {i + 1} of {what}: "
                             "claims are written in ASCII")
    if "#" in text:
        raise ClaimError(f"'#' at column {text.index('#') + 1} of {what}: comments are not part of a claim "
                         "(Python would silently drop the rest of the line)")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ClaimError(
            f"syntax error in {what} {text.strip()!r} at column {exc.offset}: {exc.msg}"
        ) from None
    except (RecursionError, MemoryError, ValueError):
        raise ClaimError(f"{what} is nested too deeply") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise ClaimError(f"{what} has more than {MAX_NODES} parts")
    return tree.body


class _Converter:
    def __init__(self, text: str) -> None:
        self.text = text

    def convert(self, node: ast.AST) -> Node:
        seg = ast.get_source_segment(self.text, node) or type(node).__name__
        if isinstance(node, ast.Constant):
            return self._number(node, seg)
        if isinstance(node, ast.Name):
            return Node("name", value=check_identifier(node.id))
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            left, right = self.convert(node.left), self.convert(node.right)
            op = _BINOPS[type(node.op)]
            if op == "div" and right.op == "num" and right.value == 0:
                raise ClaimError(f"division by zero in {seg!r}")
            if op == "div" and left.op == "num" and right.op == "num":
                return Node("num", value=left.value / right.value)
            return Node(op, (left, right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = self.convert(node.operand)
            if isinstance(node.op, ast.UAdd):
                return inner
            if inner.op == "num":
                return Node("num", value=-inner.value)
            return Node("neg", (inner,))
        if isinstance(node, ast.Attribute):
            if node.attr != "T":
                raise ClaimError(
                    f"attribute '.{node.attr}' is not allowed (only '.T', the transpose) in {seg!r}"
                )
            return Node("T", (self.convert(node.value),))
        if isinstance(node, ast.Subscript):
            return self._index(node, seg)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in INDEXED:
            return self._indexed(node, seg)
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                fname = (
                    node.func.id
                    if isinstance(node.func, ast.Name)
                    else ast.get_source_segment(self.text, node.func)
                )
                raise ClaimError(f"unknown function {fname!r} (known: {', '.join(sorted(FUNCTIONS))})")
            if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
                raise ClaimError(f"call {seg!r}: only plain positional arguments are allowed")
            lo, hi = FUNCTIONS[node.func.id]
            n = len(node.args)
            if n < lo or (hi is not None and n > hi):
                want = str(lo) if lo == hi else (f"at least {lo}" if hi is None else f"{lo} to {hi}")
                raise ClaimError(f"{node.func.id} takes {want} argument(s), got {n} in {seg!r}")
            if node.func.id == "block":
                return self._block(node.args[0], seg)
            args = tuple(self.convert(a) for a in node.args)
            sized = {"unit": (0, 1), "entry": (1, 2)}.get(node.func.id, ())
            for k in sized:
                self._size(node.args[k], seg, f"argument {k + 1} of {node.func.id}")
            if node.func.id in GRADIENTS and args[1].op not in ("name", "index"):
                raise ClaimError(f"{node.func.id}(f, X): X must be a variable name (or a family member "
                                 f"W[i]), got {seg!r}")
            return Node("call", args, node.func.id)
        if isinstance(node, ast.Compare):
            raise ClaimError(f"a relation may appear only once, at the top: {seg!r}")
        raise ClaimError(f"{type(node).__name__.lower()} {seg!r} is not allowed in a claim")

    def _size(self, node: ast.AST, seg: str, what: str) -> Node:
        """An integer-valued expression: integer literals and names with + - * (checked, never run)."""
        out = self.convert(node)
        for n in out.walk():
            if n.op not in ("num", "name", "add", "sub", "mul") or (
                    n.op == "num" and n.value.denominator != 1):
                raise ClaimError(f"{what} in {seg!r} must be an integer expression (integers and "
                                 "dimension or index names with + - *)")
        return out

    def _index(self, node: ast.Subscript, seg: str) -> Node:
        """``W[i]``: member i of the family W (i counts from 1)."""
        if not isinstance(node.value, ast.Name):
            raise ClaimError(f"only a family of variables can be indexed, like W[i], in {seg!r}")
        if isinstance(node.slice, (ast.Slice, ast.Tuple)):
            raise ClaimError(f"a family takes one index, like W[i], in {seg!r}; an entry of a matrix is "
                             "entry(A, i, j) (1-based)")
        idx = self._size(node.slice, seg, "the index")
        if idx.op == "num" and idx.value < 1:
            raise ClaimError(f"subscript {seg!r}: family members are counted from 1 (W[1] ... W[H])")
        return Node("index", (idx,), check_identifier(node.value.id))

    def _indexed(self, node: ast.Call, seg: str) -> Node:
        """``sum(i, lo, hi, body)`` / ``prod(i, lo, hi, body)`` with lo, hi integer expressions."""
        f = node.func.id  # type: ignore[attr-defined]
        if node.keywords or len(node.args) != 4 or not isinstance(node.args[0], ast.Name):
            raise ClaimError(f"{f} takes (index, lo, hi, body), like {f}(i, 1, H, W[i]), in {seg!r}")
        i = check_identifier(node.args[0].id, "index name")
        lo = self._size(node.args[1], seg, f"the lower bound of {f}")
        hi = self._size(node.args[2], seg, f"the upper bound of {f}")
        return Node(f, (lo, hi, self.convert(node.args[3])), i)

    def _block(self, rows: ast.AST, seg: str) -> Node:
        """``block([[A, B], [C, D]])`` is read as ``vstack(hstack(A, B), hstack(C, D))``."""
        if not isinstance(rows, ast.List) or not rows.elts or not all(
                isinstance(r, ast.List) and r.elts for r in rows.elts):
            raise ClaimError(
                f"block takes a non-empty list of non-empty rows, like block([[A, B], [C, D]]), in {seg!r}"
            )
        out = []
        for r in rows.elts:
            cells = tuple(self.convert(c) for c in r.elts)   # type: ignore[attr-defined]
            out.append(cells[0] if len(cells) == 1 else Node("call", cells, "hstack"))
        return out[0] if len(out) == 1 else Node("call", tuple(out), "vstack")

    def _number(self, node: ast.Constant, seg: str) -> Node:
        v = node.value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ClaimError(f"literal {seg!r} is not allowed (only real numbers)")
        if len(seg) > MAX_LITERAL_CHARS:
            raise ClaimError(f"numeric literal {seg[:20]}... is too long")
        try:
            return Node("num", value=Fraction(seg.replace("_", "")))
        except ValueError:
            raise ClaimError(f"cannot read the number {seg!r}") from None


def parse_expression(text: str, what: str = "expression") -> Node:
    tree = _parse(text, what)
    if isinstance(tree, ast.Compare):
        raise ClaimError(f"{what} {text.strip()!r} must not contain a relation")
    return _Converter(text.strip()).convert(tree)


def parse_relation(text: str, what: str = "statement") -> Relation:
    """Parse ``lhs REL rhs`` with exactly one relation among == <= >= < >; a given condition may also
    be ``lhs != rhs``, read as ``norm(lhs - rhs) > 0``."""
    tree = _parse(text, what)
    if not isinstance(tree, ast.Compare):
        raise ClaimError(f"{what} {text.strip()!r} needs exactly one relation (==, <=, >=, <, >)")
    if len(tree.ops) != 1:
        raise ClaimError(f"{what} {text.strip()!r} has {len(tree.ops)} relations; exactly one is allowed")
    if isinstance(tree.ops[0], ast.NotEq) and what == "given condition":
        # a != b as a side condition: norm(a - b) > 0 (|a - b| for scalars, Frobenius for matrices),
        # decided exactly like every strict scalar given; the text keeps what the user wrote
        conv = _Converter(text.strip())
        diff = Node("sub", (conv.convert(tree.left), conv.convert(tree.comparators[0])))
        return Relation(Node("call", (diff,), "norm"), ">", Node("num", value=Fraction(0)), text.strip())
    if type(tree.ops[0]) not in RELATIONS:
        raise ClaimError(
            f"relation {type(tree.ops[0]).__name__} in {text.strip()!r} is not allowed (use ==, <=, >=, <, >)"
        )
    conv = _Converter(text.strip())
    return Relation(
        conv.convert(tree.left), RELATIONS[type(tree.ops[0])], conv.convert(tree.comparators[0]), text.strip()
    )


_PREC = {"add": 1, "sub": 1, "mul": 2, "div": 2, "matmul": 2, "neg": 3, "pow": 4}
_SYM = {"add": "+", "sub": "-", "mul": "*", "div": "/", "matmul": "@", "pow": "**"}


def unparse(node: Node) -> str:
    """Claim-language text of a node (round-trips through ``parse_expression``)."""
    if node.op == "num":
        f = node.value
        s = str(f.numerator) if f.denominator == 1 else f"({f.numerator}/{f.denominator})"
        return f"({s})" if f < 0 else s
    if node.op == "name":
        return str(node.value)
    if node.op == "call":
        return f"{node.value}({', '.join(unparse(a) for a in node.args)})"
    if node.op in INDEXED:
        return f"{node.op}({node.value}, {', '.join(unparse(a) for a in node.args)})"
    if node.op == "index":
        return f"{node.value}[{unparse(node.args[0])}]"
    if node.op == "T":
        inner = unparse(node.args[0])
        return f"{inner}.T" if node.args[0].op in ("name", "call", "T") else f"({inner}).T"
    if node.op == "neg":
        return f"-({unparse(node.args[0])})"
    a, b = node.args
    sa, sb = unparse(a), unparse(b)
    p = _PREC[node.op]
    if _PREC.get(a.op, 9) < p or (node.op == "pow" and a.op in _SYM):
        sa = f"({sa})"
    if _PREC.get(b.op, 9) <= p:
        sb = f"({sb})"
    return f"{sa} {_SYM[node.op]} {sb}"

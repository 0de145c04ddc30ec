"""Safe parsing of a scalar function of one variable (e.g. an activation ``max(z, 0)``) to SymPy.

The same whitelist discipline as the claim parser: Python's ``ast`` only parses; numbers (exact),
the one variable, ``+ - * / **``, unary minus and calls of the given functions are allowed, and
nothing else — never ``sympify``/``eval`` of user text.
"""
from __future__ import annotations

import ast
from fractions import Fraction
from typing import Callable, Mapping

from ..errors import ClaimError
from .parser import MAX_LITERAL_CHARS, MAX_NODES, MAX_STATEMENT_CHARS


def scalar_expression(text: str, variable, functions: Mapping[str, Callable], var_name: str = "z"):
    """Build ``text`` with SymPy objects: ``variable`` for ``var_name``, ``functions[name](args)`` for
    calls."""
    import sympy

    if not isinstance(text, str) or len(text) > MAX_STATEMENT_CHARS:
        raise ClaimError("expression must be a string of at most 2000 characters")
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ClaimError(f"syntax error in {text.strip()!r} at column {exc.offset}: {exc.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ClaimError("expression is nested too deeply") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise ClaimError(f"expression has more than {MAX_NODES} parts")
    ops = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
           ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a ** b}

    def conv(node):
        seg = ast.get_source_segment(text.strip(), node) or type(node).__name__
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, (int, float))
            and not isinstance(node.value, bool)
        ):
            if len(seg) > MAX_LITERAL_CHARS:
                raise ClaimError(f"numeric literal {seg[:20]}... is too long")
            q = Fraction(seg.replace("_", ""))
            return sympy.Rational(q.numerator, q.denominator)
        if isinstance(node, ast.Name):
            if node.id == var_name:
                return variable
            raise ClaimError(f"unknown name {node.id!r} (the variable is {var_name!r})")
        if isinstance(node, ast.BinOp) and type(node.op) in ops:
            return ops[type(node.op)](conv(node.left), conv(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = conv(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in functions:
            if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
                raise ClaimError(f"call {seg!r}: only plain positional arguments are allowed")
            return functions[node.func.id](*[conv(a) for a in node.args])
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else seg
            raise ClaimError(f"unknown function {name!r} (known: {', '.join(sorted(functions))})")
        raise ClaimError(f"{type(node).__name__.lower()} {seg!r} is not allowed")

    return conv(tree)

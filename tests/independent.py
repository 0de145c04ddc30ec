"""An evaluator written independently of verify's engines, for re-checking counterexamples.

It walks Python's AST of the statement itself and uses SymPy's explicit Matrix API (exact
rationals) plus mpmath for eigen/singular values, so a bug in verify's fields, evaluator or
numeric engine cannot confirm its own counterexample.
"""
from __future__ import annotations

import ast
from fractions import Fraction

import mpmath
import sympy
from sympy import Matrix, Rational

MP = mpmath.mp.clone() if hasattr(mpmath.mp, "clone") else mpmath.MPContext()
MP.dps = 80
DIGITS = 70          # significant digits kept from mpmath eigen/singular values (raise with MP.dps)


def _rat(v) -> Rational:
    if isinstance(v, str):
        p, _, q = v.partition("/")
        return Rational(int(p), int(q or 1))
    return Rational(Fraction(v).numerator, Fraction(v).denominator)


def to_value(v):
    if isinstance(v, list):
        return Matrix([[_rat(x) for x in row] for row in v])
    return Matrix([[_rat(v)]])


def _num(m: Matrix):
    return MP.matrix([[MP.mpf(sympy.N(x, max(100, MP.dps + 10))) for x in m.row(i)] for i in range(m.rows)])


def _eigs(m: Matrix):
    assert m == m.T, "eig of non-symmetric"
    e = MP.eigsy(_num(m), eigvals_only=True)
    return [e[i] for i in range(len(e))]


def _svals(m: Matrix):
    s = MP.svd_r(_num(m), compute_uv=False)
    return sorted([s[i] for i in range(len(s))], reverse=True)


def _S(x):
    return Matrix([[x]])


def _proj(m: Matrix) -> Matrix:
    cols = m.columnspace()
    if not cols:
        return sympy.zeros(m.rows, m.rows)
    c = Matrix.hstack(*cols)
    return c * (c.T * c).inv() * c.T


def _kron(a: Matrix, b: Matrix) -> Matrix:
    return Matrix(a.rows * b.rows, a.cols * b.cols,
                  lambda i, j: a[i // b.rows, j // b.cols] * b[i % b.rows, j % b.cols])


def _mp_eval(node, env):
    """f in mpmath (for gradients through expm): names, numbers, + - * @ .T, tr, expm, eye."""
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.Constant):
        return MP.matrix([[MP.mpf(str(node.value))]])
    if isinstance(node, ast.Attribute):
        return _mp_eval(node.value, env).T
    if isinstance(node, ast.UnaryOp):
        return -_mp_eval(node.operand, env)
    if isinstance(node, ast.BinOp):
        a, b = _mp_eval(node.left, env), _mp_eval(node.right, env)
        if isinstance(node.op, ast.Mult) and a.rows == a.cols == 1:
            return a[0, 0] * b
        if isinstance(node.op, ast.Mult) and b.rows == b.cols == 1:
            return b[0, 0] * a
        if isinstance(node.op, ast.Div):
            return a / b[0, 0]
        return {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.MatMult: lambda: a * b}[type(node.op)]()
    if isinstance(node, ast.Call):
        a = _mp_eval(node.args[0], env)
        if node.func.id == "tr":
            return MP.matrix([[sum(a[i, i] for i in range(a.rows))]])
        if node.func.id in ("expm", "sqrtm", "logm"):
            # mpmath's general algorithms (Pade / Denman-Beavers / inverse scaling and squaring), not
            # the symmetric eigendecomposition verify uses
            return _sqrtm(a) if node.func.id == "sqrtm" else getattr(MP, node.func.id)(a)
        if node.func.id == "det":
            return MP.matrix([[MP.det(a)]])
        if node.func.id == "inv":
            return MP.inverse(a)
        if node.func.id == "log":
            return MP.matrix([[MP.log(a[0, 0])]])
        if node.func.id == "relu":
            return a.apply(lambda t: max(t, 0))
        if node.func.id == "eye":
            return MP.eye(int(a[0, 0]))
        if node.func.id == "norm":
            return MP.matrix([[MP.sqrt(sum(a[i, j] ** 2 for i in range(a.rows) for j in range(a.cols)))]])
    raise ValueError(f"unsupported inside grad through a matrix function: {ast.dump(node)}")


def _grad_expm(fnode, xname, env):
    """Gradient through expm by mpmath's numerical differentiation of t -> f(X + t E_ij) at MP.dps
    digits, entry by entry: independent of verify's block-matrix Fréchet formula."""
    menv = {k: _num(v) for k, v in env.items()}
    x = menv[xname]
    for node in ast.walk(fnode):
        # relu is not differentiable where its argument is 0: a central difference there gives 1/2,
        # which is no evidence about the claim (verify calls such an instance undefined)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "relu":
            arg = _mp_eval(node.args[0], menv)
            if any(arg[i, j] == 0 for i in range(arg.rows) for j in range(arg.cols)):
                raise ValueError("gradient through relu at a kink (an argument entry is exactly 0)")
    out = sympy.zeros(x.rows, x.cols)
    for i in range(x.rows):
        for j in range(x.cols):
            def f(t, i=i, j=j):
                xt = x.copy()
                xt[i, j] += t
                return _mp_eval(fnode, {**menv, xname: xt})[0, 0]
            out[i, j] = sympy.Float(str(MP.diff(f, 0)), DIGITS)
    return out


def _contains_expm(node) -> bool:
    return any(isinstance(n, ast.Call) and getattr(n.func, "id", None) in ("expm", "sqrtm", "logm", "relu")
               for n in ast.walk(node))


def _sqrtm(m):
    """mpmath's Denman-Beavers square root; for a singular psd matrix (where it fails) the SVD
    U diag(sqrt(s)) U^T (a psd matrix's SVD is its eigendecomposition)."""
    try:
        return MP.sqrtm(m)
    except (ZeroDivisionError, mpmath.libmp.NoConvergence):
        if any(abs(m[i, j] - m[j, i]) > 0 for i in range(m.rows) for j in range(i)):
            # the SVD is the eigendecomposition only for a symmetric psd matrix: not decided here
            raise ValueError("sqrtm of a singular non-symmetric matrix is not evaluated independently")
        u, s, _ = MP.svd_r(m)
        return u * MP.diag([MP.sqrt(s[i]) for i in range(len(s))]) * u.T


def _mp_to_sympy(m) -> Matrix:
    return Matrix(m.rows, m.cols, lambda i, j: sympy.Float(str(m[i, j]), DIGITS))


def _grad(fnode, xname, env, ev):
    if _contains_expm(fnode):
        return _grad_expm(fnode, xname, env)
    x = env[xname]
    syms = Matrix(x.rows, x.cols, lambda i, j: sympy.Symbol(f"g{i}_{j}", real=True))
    env2 = dict(env)
    env2[xname] = syms
    f = ev(fnode, env2)[0, 0]
    return Matrix(x.rows, x.cols, lambda i, j: sympy.diff(f, syms[i, j]).subs(
        {syms[a, b]: x[a, b] for a in range(x.rows) for b in range(x.cols)}))


def evaluate(node, env):
    if isinstance(node, ast.Constant):
        return _S(Rational(str(node.value)))
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.UnaryOp):
        return -evaluate(node.operand, env)
    if isinstance(node, ast.Attribute):
        assert node.attr == "T"
        return evaluate(node.value, env).T
    if isinstance(node, ast.BinOp):
        a, b = evaluate(node.left, env), evaluate(node.right, env)
        op = type(node.op)
        if op is ast.Add:
            return a + b
        if op is ast.Sub:
            return a - b
        if op is ast.MatMult:
            return a * b
        if op is ast.Mult:
            return a[0, 0] * b if a.shape == (1, 1) else b[0, 0] * a
        if op is ast.Div:
            return a / b[0, 0]
        if op is ast.Pow:
            if a.shape == (1, 1):
                return _S(a[0, 0] ** b[0, 0])
            return a ** int(b[0, 0])
    if isinstance(node, ast.Subscript):
        # member k of a family: the checker names it W_k (verify.claims.families)
        return env[f"{node.value.id}_{int(evaluate(node.slice, env)[0, 0])}"]
    if isinstance(node, ast.Call) and node.func.id in ("sum", "prod"):
        # evaluated here by looping over the index, not from verify's written-out text
        i, lo, hi = node.args[0].id, evaluate(node.args[1], env), evaluate(node.args[2], env)
        terms = [evaluate(node.args[3], {**env, i: _S(Rational(k))})
                 for k in range(int(lo[0, 0]), int(hi[0, 0]) + 1)]
        out = terms[0]
        for t in terms[1:]:
            out = out + t if node.func.id == "sum" else out * t
        return out
    if isinstance(node, ast.Call):
        f = node.func.id
        if f in ("grad", "grad_sym", "grad_entries_sym"):
            x = node.args[1]
            if isinstance(x, ast.Subscript):          # a family member W[k] is the variable W_k
                x = ast.Name(f"{x.value.id}_{int(evaluate(x.slice, env)[0, 0])}")
            g = _grad(node.args[0], x.id, env, evaluate)
            if f == "grad_sym":
                return (g + g.T) / 2
            if f == "grad_entries_sym":
                return g + g.T - sympy.diag(*[g[i, i] for i in range(g.rows)])
            return g
        if f == "block":
            return Matrix.vstack(
                *[Matrix.hstack(*[evaluate(c, env) for c in row.elts]) for row in node.args[0].elts]
            )
        if f in ("eig", "sigma"):
            m, k = evaluate(node.args[0], env), int(evaluate(node.args[1], env)[0, 0])
            vals = sorted(_eigs(m), reverse=True) if f == "eig" else _svals(m)
            return _S(sympy.Float(str(vals[k - 1]), DIGITS))
        args = [evaluate(a, env) for a in node.args]
        a = args[0]
        table = {
            "vec": lambda: Matrix([a[i, j] for j in range(a.cols) for i in range(a.rows)]),
            "kron": lambda: _kron(a, args[1]),
            "eye": lambda: sympy.eye(int(a[0, 0])),
            "zeros": lambda: sympy.zeros(int(a[0, 0]), int(args[1][0, 0])),
            "tr": lambda: _S(a.trace()), "det": lambda: _S(a.det()), "inv": lambda: a.inv(),
            "pinv": lambda: a.pinv(), "norm": lambda: _S(sympy.sqrt(sum(x**2 for x in a))),
            "eigmin": lambda: _S(sympy.Float(str(min(_eigs(a))), DIGITS)),
            "eigmax": lambda: _S(sympy.Float(str(max(_eigs(a))), DIGITS)),
            "sigma_min": lambda: _S(sympy.Float(str(_svals(a)[-1]), DIGITS)),
            "sigma_max": lambda: _S(sympy.Float(str(_svals(a)[0]), DIGITS)),
            "sigma_small": lambda: _S(sympy.Float(str(_svals(a)[a.rank() - 1]), DIGITS)),
            "rank": lambda: _S(a.rank()), "proj": lambda: _proj(a), "expm": lambda: a.exp(),
            "sqrtm": lambda: _mp_to_sympy(_sqrtm(_num(a))), "logm": lambda: _mp_to_sympy(MP.logm(_num(a))),
            "exp": lambda: _S(sympy.exp(a[0, 0])), "log": lambda: _S(sympy.log(a[0, 0])),
            "sqrt": lambda: _S(sympy.sqrt(a[0, 0])), "abs": lambda: _S(sympy.Abs(a[0, 0])),
            "min": lambda: _S(sympy.Min(*[x[0, 0] for x in args])),
            "max": lambda: _S(sympy.Max(*[x[0, 0] for x in args])),
            "diag": lambda: sympy.diag(*list(a)),
            "diagvec": lambda: Matrix([a[i, i] for i in range(a.rows)]),
            "ones": lambda: sympy.ones(int(a[0, 0]), int(args[1][0, 0])),
            "hadamard": lambda: a.multiply_elementwise(args[1]),
            "hadamard_pow": lambda: a.applyfunc(lambda x: x ** args[1][0, 0]),
            "relu": lambda: a.applyfunc(lambda x: max(x, 0)),
            "step": lambda: a.applyfunc(lambda x: 1 if x > 0 else 0),
            "hstack": lambda: Matrix.hstack(*args), "vstack": lambda: Matrix.vstack(*args),
            "norm1": lambda: _S(max(sum(abs(x) for x in a.col(j)) for j in range(a.cols))),
            "norminf": lambda: _S(max(sum(abs(x) for x in a.row(i)) for i in range(a.rows))),
            "norm2": lambda: _S(sympy.Float(str(_svals(a)[0]), DIGITS)),
            "nuclear": lambda: _S(sympy.Float(str(sum(_svals(a))), DIGITS)),
            "unit": lambda: sympy.eye(int(a[0, 0]))[:, int(args[1][0, 0]) - 1],
            "entry": lambda: _S(a[int(args[1][0, 0]) - 1, int(args[2][0, 0]) - 1]),
        }
        return table[f]()
    raise ValueError(f"unsupported {ast.dump(node)}")


def relation_fails(statement: str, given: list[str], cx: dict, dims: dict | None = None) -> bool:
    """True when every given holds and the statement clearly fails on the counterexample.

    ``dims`` adds dimensions the counterexample does not record (the H of a family claim, which the
    checker fixed before writing the sums out)."""
    env = {k: _S(Rational(v)) for k, v in {**cx.get("dims", {}), **(dims or {})}.items()}
    env.update({k: to_value(v) for k, v in cx["values"].items()})
    for g in given:
        assert _holds(g, env), f"given {g!r} is false on the counterexample"
    return not _holds(statement, env)


def _holds(text: str, env) -> bool:
    tree = ast.parse(text, mode="eval").body
    assert isinstance(tree, ast.Compare) and len(tree.ops) == 1
    a, b = evaluate(tree.left, env), evaluate(tree.comparators[0], env)
    op = type(tree.ops[0])
    if op is ast.Eq:
        diff = [sympy.nsimplify(sympy.N(x - y, 60), rational=False) for x, y in zip(a, b)]
        return all(abs(sympy.N(d, 60)) < 1e-40 for d in diff)
    s = sympy.N(a[0, 0] - b[0, 0], 60)
    if op is ast.LtE:
        return s <= 1e-45
    if op is ast.GtE:
        return s >= -1e-45
    if op is ast.Lt:
        return s < 0
    if op is ast.Gt:
        return s > 0
    raise ValueError(op)

"""The proof module ``linear-gnn-xu2021``: every step's verdict equals its expectation, refuted steps
carry counterexamples that are re-evaluated here independently (plain mpmath, finite differences,
hand-written formulas: no verify engine), and the helpers of the module are checked against
independent computations, including false statements they must reject."""
from __future__ import annotations

import json
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from verify import CheckConfig, Proof, Verdict, load_proof, run_proof

from proofs.linear_gnn_xu2021 import checks
from verify.dynamics import models

from tests.proofs.build_support import assert_build_runs_no_check

PROOF_ID = "linear-gnn-xu2021"
HOLDS = {"proved", "certified", "holds_numerically"}


@pytest.fixture(scope="module")
def proof() -> Proof:
    return load_proof(PROOF_ID)


@pytest.fixture(scope="module")
def run(proof):
    return run_proof(proof, CheckConfig())


# ------------------------------------------------------------------ structure

def test_proof_structure(proof):
    ids = [s.id for s in proof.steps]
    assert len(ids) == len(set(ids)) >= 30
    for needed in ["model", "grad-Wtilde", "grad-sign-slip", "grad-W-H1", "grad-B1-H2", "grad-B3-H3",
                   "grad-B1-figure-slip", "part-a-kron", "J-typo-literal", "first-order", "dLdt-parts",
                   "drop-part-b", "lambda-min-bound", "eq-star", "svd-bound", "a13-published",
                   "a13-scalar-core", "a13-scalar-reversed", "pythagoras-shapes", "pythagoras-instances",
                   "theorem-survives", "Ls-lower", "Ls-attained", "flow-derivative", "L-grad", "theorem",
                   "flow-bound", "narrow-width-singular", "narrow-width-vacuous"]:
        assert needed in ids
    for s in proof.steps:
        assert s.name and s.source and s.statement and s.latex
        assert (s.expect == "assumed") == s.hypothesis and s.expect in ("holds", "fails", "assumed")
        if s.claim is not None:
            assert s.statement == s.claim.statement and s.given == s.claim.given
            assert s.claim.expect == s.expect
        if s.derived:
            assert s.uses or s.by in ("flow_derivative", "nonnegative"), s.id
        if s.expect == "fails":
            assert s.note, f"{s.id}: a wrong step must explain the slip and its correction"
    fails = {s.id for s in proof.steps if s.expect == "fails"}
    assert fails == {"grad-sign-slip", "grad-layout-slip", "grad-B1-figure-slip", "J-typo-literal",
                     "a13-published", "a13-published-graph", "a13-scalar-core", "a13-underbrace-slip"}


def test_build_checks_nothing():
    """Building only declares the steps (the checks run in run_proof); timing is in benchmarks/."""
    from proofs.linear_gnn_xu2021 import build_proof
    proof = assert_build_runs_no_check(build_proof)
    assert [s.id for s in proof.steps] == [s.id for s in build_proof().steps]


# ------------------------------------------------------------------ verdicts

def test_every_step_as_expected(run):
    bad = [(r.step.id, r.result.verdict.value, r.result.message) for r in run.steps if not r.matches]
    assert not bad, bad
    for r in run.steps:
        assert r.result.verdict not in (Verdict.INCONCLUSIVE, Verdict.ERROR), r.step.id
        if r.step.expect == "fails":
            assert r.result.verdict is Verdict.REFUTED, r.step.id
    assert run.all_match


def test_verdict_strengths(run):
    v = {r.step.id: r.result.verdict.value for r in run.steps}
    # exact evidence where the statement is an identity on explicit shapes
    for sid in ["model", "grad-Wtilde", "grad-W-H1", "grad-B1-H1", "grad-B2-H2", "grad-B3-H3", "part-a-kron",
                "part-b1-kron", "part-b2-kron", "part-b2-H3-kron", "eq-star", "dLdt-kron", "pythagoras-shapes",
                "a13-scalar-reversed", "first-order", "flow-derivative", "pb-nonneg"]:
        assert v[sid] == "proved", (sid, v[sid])
    assert v["pythagoras-instances"] in ("certified", "proved")
    assert v["flow-bound"] == "holds_numerically"
    assert v["narrow-width-vacuous"] == "holds_numerically"     # exact λ_T = 0, numerical convergence
    assert v["narrow-width-singular"] in ("proved", "certified")  # exact on some shapes, certified on the scope
    for sid in ("dLdt-parts", "drop-part-b", "L-grad"):          # derived: as strong as the weakest link
        r = run.result_of(sid)
        assert v[sid] == run.result_of(r.weakest_link).result.verdict.value, sid


def test_theorem_is_derived_with_its_weakest_link(run):
    js = run.to_json()
    assert js["theorem"] == "theorem"
    th = run.result_of("theorem")
    assert th.step.by == "gronwall" and th.step.claim is None and th.step.check is None
    # the theorem is exactly as strong as the weakest checked leaf it rests on
    leaves = set()
    stack = list(th.step.uses)
    while stack:
        r = run.result_of(stack.pop())
        if r.step.derived:
            stack += r.step.uses
        elif not r.step.hypothesis:
            leaves.add(r.step.id)
    assert {"svd-bound", "eq-star", "lambda-min-bound", "pythagoras-instances", "grad-sandwich", "grad-right",
            "Ls-lower"} <= leaves
    rank = ["proved", "certified", "holds_numerically"]
    weakest = max(rank.index(run.result_of(x).result.verdict.value) for x in leaves)
    assert js["theorem_verdict"] == rank[weakest] == th.result.verdict.value
    assert js["weakest_link"] == th.weakest_link and run.result_of(th.weakest_link).result.verdict.value == rank[weakest]
    for step_js in js["steps"]:
        if step_js["kind"] == "derived":
            assert step_js["by"] and step_js["evidence"]["engine"].startswith("rule kernel")


def test_json_shape(run):
    keys = {"id", "name", "source", "statement", "given", "assumptions", "latex", "expect", "verdict",
            "matches_expect", "evidence", "counterexample", "message", "note", "uses", "by", "kind", "weakest_link"}
    for r in run.steps:
        js = r.to_json()
        assert set(js) == keys
        json.dumps(js)      # plain JSON
        assert js["verdict"] == r.result.verdict.value and js["expect"] == r.step.expect
        assert "engine" in js["evidence"]
        if js["verdict"] == "refuted":
            cx = js["counterexample"]
            assert set(cx) >= {"dims", "values"}
            if r.step.claim is not None:
                assert set(cx["values"]) >= set(r.step.claim.vars)
            else:
                assert cx["values"] and cx["dims"]
        else:
            assert js["counterexample"] is None
    top = run.to_json()
    assert top["id"] == PROOF_ID and top["all_steps_as_expected"] is True and len(top["steps"]) == len(run.steps)


# ------------------------------------------------------------------ counterexamples, re-evaluated independently

mp = mpmath.mp
DPS = 100


@pytest.fixture(autouse=True)
def _precision():
    """Every independent re-evaluation below runs at 100 digits."""
    with mpmath.workdps(DPS):
        yield


def _num(v):
    if isinstance(v, str):
        return mp.mpf(Fraction(v).numerator) / Fraction(v).denominator
    return mp.mpf(Fraction(v).numerator) / Fraction(v).denominator


def _mat(v):
    if not isinstance(v, list):
        return mp.matrix([[_num(v)]])
    return mp.matrix([[_num(x) for x in row] for row in v])


def _fro2(A):
    return mp.fsum(A[i, j] ** 2 for i in range(A.rows) for j in range(A.cols))


def _vec(A):
    return mp.matrix([A[i, j] for j in range(A.cols) for i in range(A.rows)])


def _kron(A, B):
    K = mp.matrix(A.rows * B.rows, A.cols * B.cols)
    for i in range(A.rows):
        for j in range(A.cols):
            for k in range(B.rows):
                for layer in range(B.cols):
                    K[i * B.rows + k, j * B.cols + layer] = A[i, j] * B[k, layer]
    return K


def _num_grad(f, X):
    """Central differences of the polynomial f at X (step 1e-30 at 100 digits: error ~1e-60)."""
    h = mp.mpf(10) ** -30
    G = mp.matrix(X.rows, X.cols)
    for i in range(X.rows):
        for j in range(X.cols):
            Xp, Xm = X.copy(), X.copy()
            Xp[i, j] += h
            Xm[i, j] -= h
            G[i, j] = (f(Xp) - f(Xm)) / (2 * h)
    return G


def _maxdiff(A, B):
    return max(abs(A[i, j] - B[i, j]) for i in range(A.rows) for j in range(A.cols))


def _col_projector(A):
    U, s, V = mp.svd_r(A)
    r = [j for j in range(len(s)) if s[j] > mp.mpf(10) ** -40 * max(s)]
    Ur = mp.matrix(A.rows, len(r))
    for jj, j in enumerate(r):
        for i in range(A.rows):
            Ur[i, jj] = U[i, j]
    return Ur * Ur.T


def _refutes(step_id: str, v: dict) -> bool:
    """True when the step's statement fails at the values ``v`` (computed without verify's engines)."""
    tol = mp.mpf(10) ** -30
    if step_id == "grad-sign-slip":
        Y, Yh = _mat(v["Y"]), _mat(v["Yh"])
        true = _num_grad(lambda Z: _fro2(Y - Z), Yh)
        return _maxdiff(true, 2 * (Y - Yh)) > tol and _maxdiff(true, 2 * (Yh - Y)) < tol
    if step_id == "grad-layout-slip":
        A, B, Cm = _mat(v["A"]), _mat(v["B"]), _mat(v["C"])
        def phi(Z):
            return mp.fsum((Cm.T * A * Z)[i, i] for i in range(Z.cols))

        true = _num_grad(phi, B)
        return _maxdiff(true, A * Cm) > tol and _maxdiff(true, A.T * Cm) < tol
    if step_id == "grad-B1-figure-slip":
        W, B2, B1, G, Y = (_mat(v[k]) for k in ("W", "B2", "B1", "G", "Y"))
        def loss_b1(Z):
            return _fro2(W * B2 * Z * G - Y)

        true = _num_grad(loss_b1, B1)
        D = 2 * (W * B2 * B1 * G - Y) * G.T
        return _maxdiff(true, W * B2 * D) > tol and _maxdiff(true, (W * B2).T * D) < tol
    if step_id == "J-typo-literal":
        W, B1, D, V = (_mat(v[k]) for k in ("W", "B1", "D", "V"))
        lhs = _vec(W * (W.T * D * B1.T) * B1)
        J = _kron(B1, V.T)
        return _maxdiff(lhs, J.T * J * _vec(D)) > tol
    if step_id == "a13-published":
        W, B2, B1, X, S, Y = (_mat(v[k]) for k in ("W", "B2", "B1", "X", "S", "Y"))
        G = X * S * S                                      # every node is a training node
        a = mp.sqrt(_fro2(W * B2 * B1 * G - Y))
        P = _col_projector(_kron(G.T, mp.eye(Y.rows)))
        b = mp.sqrt(_fro2((mp.eye(P.rows) - P) * _vec(Y)))
        assert a >= b - tol                                # L* <= L always
        return (a - b) ** 2 < a ** 2 - b ** 2 - tol
    if step_id == "a13-published-graph":
        X, S, W, B1, B2, Y = (_mat(v[k]) for k in ("X", "S", "W", "B_1", "B_2", "Y"))
        XS2 = X * S * S
        G = mp.matrix(XS2.rows, len(v["train"]))
        for jj, j in enumerate(v["train"]):
            for i in range(XS2.rows):
                G[i, jj] = XS2[i, j]
        a = mp.sqrt(_fro2(W * B2 * B1 * G - Y))
        P = _col_projector(_kron(G.T, mp.eye(Y.rows)))
        b = mp.sqrt(_fro2((mp.eye(P.rows) - P) * _vec(Y)))
        assert a >= b - tol and b > tol
        return (a - b) ** 2 < a ** 2 - b ** 2 - tol
    if step_id == "a13-scalar-core":
        a, b = _num(v["a"]), _num(v["b"])
        return a >= b >= 0 and (a - b) ** 2 < a ** 2 - b ** 2
    if step_id == "a13-underbrace-slip":
        Wt, G, Y = (_mat(v[k]) for k in ("Wt", "G", "Y"))
        R = Wt * G - Y
        return abs(mp.sqrt(_fro2(_vec(R))) - _fro2(R)) > tol
    raise AssertionError(f"no independent re-evaluation for {step_id}")


def test_counterexamples_reevaluated_independently(run):
    refuted = [r for r in run.steps if r.result.verdict is Verdict.REFUTED]
    assert len(refuted) == 8
    for r in refuted:
        cx = r.result.counterexample.to_json()
        assert _refutes(r.step.id, cx["values"]), (r.step.id, cx)


def test_a13_counterexample_is_a_linear_gnn_instance(run):
    r = next(x for x in run.steps if x.step.id == "a13-published")
    cx = r.result.counterexample.to_json()
    d, v = cx["dims"], cx["values"]
    assert set(v) >= {"W", "B1", "B2", "X", "S", "Y"}
    assert np.array(v["X"], dtype=object).shape == (d["m_x"], d["n"])
    assert np.array(v["S"], dtype=object).shape == (d["n"], d["n"])
    assert np.array(v["B1"], dtype=object).shape == (d["m1"], d["m_x"])
    assert np.array(v["B2"], dtype=object).shape == (d["m2"], d["m1"])
    assert np.array(v["W"], dtype=object).shape == (d["m_y"], d["m2"])


def test_reevaluation_accepts_a_true_statement():
    """The independent re-evaluator is not a rubber stamp: on values where the statement holds it says so."""
    assert not _refutes("a13-scalar-core", {"a": 2, "b": 0})
    assert not _refutes("a13-scalar-core", {"a": 1, "b": 1})
    assert not _refutes("J-typo-literal", {"W": [[1, 2]], "B1": [[1, 0], [2, 1]], "D": [[3, -1]], "V": [[1, 2]]})
    assert not _refutes("a13-underbrace-slip", {"Wt": [[1, 0]], "G": [[1, 0], [0, 0]], "Y": [["0", "0"]]})


# ------------------------------------------------------------------ the helpers against independent computations

def test_model_gradients_match_finite_differences():
    inst = models.xu_problem(3, n=5, m_x=2, widths=(3, 2, 2), m_y=2, n_train=3)
    with mpmath.workdps(DPS):
        W, Bs, G, Y = models.to_mp(inst.W), [models.to_mp(B) for B in inst.Bs], models.to_mp(inst.G()), models.to_mp(inst.Y)
        g = models.gradients(W, Bs, G, Y, mpmath.eye)

        def loss(Wx, Bx):
            P = Bx[0]
            for B in Bx[1:]:
                P = B * P
            return _fro2(Wx * P * G - Y)
        assert _maxdiff(_num_grad(lambda Z: loss(Z, Bs), W), g.gW) < mp.mpf(10) ** -40
        for layer in range(len(Bs)):
            def f(Z, layer=layer):
                return loss(W, Bs[:layer] + [Z] + Bs[layer + 1:])

            assert _maxdiff(_num_grad(f, Bs[layer]), g.gB[layer]) < mp.mpf(10) ** -40
        # G~ = X (S^H)_{*I}: compare with numpy
        SH = np.linalg.matrix_power(inst.S, 3)
        assert np.allclose(inst.G().astype(float), (inst.X @ SH)[:, list(inst.train)], rtol=1e-13, atol=1e-13)


def test_taylor_flow_matches_scipy_dop853():
    """The Taylor-series reference flow against an independent float64 integration of -grad L."""
    from scipy.integrate import solve_ivp

    inst = models.xu_problem(11, n=6, m_x=2, widths=(3, 3), m_y=1, n_train=4)
    G, Y = inst.G().astype(float), inst.Y
    shapes = [inst.W.shape] + [B.shape for B in inst.Bs]

    def unpack(th):
        out, k = [], 0
        for r, c in shapes:
            out.append(th[k:k + r * c].reshape(r, c))
            k += r * c
        return out

    def field(_t, th):
        W, B1, B2 = unpack(th)
        D = 2 * (W @ B2 @ B1 @ G - Y) @ G.T
        return -np.concatenate([(D @ (B2 @ B1).T).ravel(), ((W @ B2).T @ D).ravel(), (W.T @ D @ B1.T).ravel()])

    th0 = np.concatenate([inst.W.ravel()] + [B.ravel() for B in inst.Bs])
    sol = solve_ivp(field, (0, 2.0), th0, method="DOP853", rtol=1e-13, atol=1e-13)
    with mpmath.workdps(50):
        pts, run = checks.taylor_flow(inst, [0.0, 1.0, 2.0], dps=50, order=30, tol=1e-40)
        last = pts[-1]
        ours = np.array([float(x) for x in [last.W[i, j] for i in range(last.W.rows) for j in range(last.W.cols)]
                         + [float(B[i, j]) for B in last.Bs for i in range(B.rows) for j in range(B.cols)]])
    assert abs(pts[-1].t - 2.0) < 1e-30 and run.error_estimate < 1e-30
    assert np.max(np.abs(ours - sol.y[:, -1])) < 1e-9
    assert np.max(np.abs(ours - th0)) > 1e-2          # it moved


def test_first_order_symbolic_rejects_a_wrong_expansion():
    ok = checks._first_order_symbolic(1, (2, 2, 2))
    assert ok["alpha0_zero"] and ok["alpha1_matches"] and ok["degree_in_alpha"] == 3
    bad = checks._first_order_symbolic(1, (2, 2, 2), omit_part_b=True)
    assert bad["alpha0_zero"] and not bad["alpha1_matches"]


def test_a13_exact_accepts_instances_where_the_inequality_holds():
    """With |I| = m_x the fit is exact (P = I, L* = 0) and the published inequality is true: no refutation."""
    inst = models.xu_problem(9, n=6, m_x=3, widths=(4, 4), m_y=1, n_train=3)
    ex = checks.a13_exact(inst)
    assert ex["L_star"] == 0 and ex["holds"]
    inst = models.xu_problem(9)
    ex = checks.a13_exact(inst)
    assert ex["L"] > ex["L_star"] > 0 and not ex["holds"]


def test_exact_lambda_detects_full_rank():
    wide = models.xu_problem(5, widths=(4, 4))         # every width >= m_x = 3
    rank, det = checks._exact_lambda_zero(wide.Bs, 3)
    assert rank == 3 and det != 0
    narrow = models.xu_problem(5, widths=(2, 4))
    rank, det = checks._exact_lambda_zero(narrow.Bs, 3)
    assert rank == 2 and det == 0


def test_flow_bound_evidence(run):
    r = next(x for x in run.steps if x.step.id == "flow-bound")
    ev = r.result.evidence
    assert ev["digits"] >= 30 and ev["trajectory_accuracy"] < 1e-30
    assert 0 < ev["integrator_error_estimate"] <= ev["trajectory_accuracy"]
    assert ev["pointwise_min_slack"] >= 1 and ev["integrated_min_slack"] >= 1
    # the check is not vacuous: a bound 10x stronger than the proved one would be violated
    assert ev["pointwise_min_slack"] < 10
    assert ev["observed_over_proved_at_T"] > 1
    loose = ev["bound_over_excess"]                 # how loose the bound is at several horizons, all >= 1
    assert len(loose) == 5 and all(v >= 1 for v in loose.values())
    assert loose[max(loose, key=lambda k: float(k[2:]))] > loose[min(loose, key=lambda k: float(k[2:]))]
    assert {f.name for f in r.result.figures} == {"excess_vs_bound", "pointwise_slack", "rate_vs_proved"}
    others = ev["other_instances"]
    assert len(others) == 2 and all(o["pointwise_min_slack"] >= 1 and o["integrated_min_slack"] >= 1 for o in others)
    assert all(o["digits"] >= 30 for o in others)


def test_first_order_evidence(run):
    r = next(x for x in run.steps if x.step.id == "first-order")
    ev = r.result.evidence
    ratios = ev["remainder_over_alpha2"]
    assert max(ratios) < 2 * ev["alpha2_coefficient_norm"]
    assert abs(ratios[-1] - ev["alpha2_coefficient_norm"]) < 1e-10 * ev["alpha2_coefficient_norm"]
    assert [s["shape"]["H"] for s in ev["exact_shapes"]] == [1, 2, 3]
    assert r.result.figures and r.result.figures[0].name == "first_order_remainder"


def test_taylor_flow_refuses_to_run_forever():
    inst = models.xu_problem(1)
    with pytest.raises(ArithmeticError):
        checks.taylor_flow(inst, [0.0, 5.0], dps=50, order=20, tol=1e-40, max_steps=2)

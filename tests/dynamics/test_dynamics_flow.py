"""Reference gradient flow: Taylor series (mpmath/float64) vs DOP853 vs mpmath.odefun."""
import mpmath
import numpy as np
import pytest

from verify.dynamics import flow
from verify.dynamics import models
from verify.errors import InputError


@pytest.fixture(scope="module")
def tiny():
    inst = models.make_instance(5, n=5, m_x=2, hidden=2, H=1, n_train=3)
    return inst, models.init_weights(inst, 6)


def test_taylor_mp_matches_mpmath_odefun(tiny):
    inst, Ws = tiny
    ts = [0.0, 0.05, 0.1]
    ref = flow.flow_taylor(inst, Ws, ts, dps=25)
    with mpmath.workdps(25):
        inst_mp = models.as_object(inst, "mpf")
        y0 = list(models.pack(models.to_object(Ws, "mpf")))
        def rhs(t, y):
            return list(
                -models.pack(models.grads(inst_mp, models.unpack(np.array(y, dtype=object), inst.shapes)))
            )

        sol = mpmath.odefun(rhs, 0, y0)
        for t, th in zip(ts, ref.thetas_exact):
            d = max(abs(a - b) for a, b in zip(sol(mpmath.mpf(t)), th))
            assert d < mpmath.mpf(10) ** -18, (t, d)
    assert ref.error_estimate < 1e-20


def test_taylor_step_halving_and_error_estimate():
    inst = models.make_instance(0)
    Ws = models.init_weights(inst, 1)
    ts = [0.0, 0.25, 0.5]
    a = flow.flow_taylor(inst, Ws, ts, dps=20)
    b = flow.flow_taylor(inst, Ws, ts, dps=20, h_max=0.025)  # at least twice as many steps
    with mpmath.workdps(20):
        d = max(abs(x - y) for x, y in zip(a.thetas_exact[-1], b.thetas_exact[-1]))
    assert d < 1e-15 and a.error_estimate < 1e-15 and b.steps >= 2 * a.steps
    # float64 paths agree with it to ~1e-13
    c = flow.flow_dop853(inst, Ws, ts)
    assert np.abs(c - a.thetas64).max() < 1e-11
    t64 = flow.flow_taylor(inst, Ws, ts, dps=None)
    assert np.abs(t64.thetas64 - a.thetas64).max() < 1e-12
    # a too-loose tolerance is visibly less accurate (the comparison can fail)
    loose = flow.flow_taylor(inst, Ws, ts, dps=20, tol=1e-6, order=6)
    assert np.abs(loose.thetas64 - a.thetas64).max() > 1e-12


def test_flow_decreases_loss_and_conserves_balance():
    inst = models.make_instance(0)
    Ws = models.init_weights(inst, 1)
    ts = np.linspace(0, 2, 5)
    th = flow.flow_dop853(inst, Ws, ts)
    Ls = [models.loss(inst, models.unpack(t, inst.shapes)) for t in th]
    assert all(np.diff(Ls) < 0)
    D0 = models.balance_gaps(Ws)
    D1 = models.balance_gaps(models.unpack(th[-1], inst.shapes))
    assert max(np.abs(a - b).max() for a, b in zip(D0, D1)) < 1e-10


def test_variational_equals_modified_to_second_order():
    inst = models.make_instance(0)
    Ws = models.init_weights(inst, 1)
    ts = [0.0, 1.0]
    th, delta = flow.variational_dop853(inst, Ws, ts)
    eta = 1e-3
    mod = flow.flow_dop853(inst, Ws, ts, eta=eta)
    # the two first-order predictions differ by O(eta^2)
    assert np.linalg.norm(mod[-1] - (th[-1] + eta * delta[-1])) < 10 * eta ** 2
    assert np.linalg.norm(mod[-1] - th[-1]) > eta * 0.05


def test_bad_times():
    inst = models.make_instance(0)
    with pytest.raises(InputError):
        flow.flow_dop853(inst, models.init_weights(inst, 1), [0.0, -1.0])
    with pytest.raises(InputError):
        flow.flow_reference(inst, models.init_weights(inst, 1), [0.0, 1.0], method="euler")


# ----------------------------------------------------------------------------- arb_mat integrator
def _arb_states(run, dps):
    from verify.dynamics.flow_arb import arb_mat_to_object

    with mpmath.workdps(dps):
        return [models.pack([arb_mat_to_object(m) for m in s]) for s in run.states]


def _maxdiff(a, b):
    return max(abs(x - y) for u, v in zip(a, b) for x, y in zip(u, v))


@pytest.fixture(scope="module")
def arb_runs():
    """make_problem(1) (32 parameters) to T = 2 at 30 digits (default tol 1e-27), at a loose
    tolerance (1e-12, order 8) and at 60 digits (tol 1e-57) as the reference."""
    from verify.dynamics.flow_arb import arb_taylor_flow

    inst, Ws = models.make_problem(1)
    Z, Y = models.as_object(inst, "fraction").G, inst.Y          # Z exactly (dyadic rationals)
    ts = [0.0, 0.3, 1.0, 1.7, 2.0]
    run30 = arb_taylor_flow(Ws, Z, Y, inst.kappa, ts, dps=30)
    loose = arb_taylor_flow(Ws, Z, Y, inst.kappa, ts, dps=30, tol=1e-12, order=8)
    ref = arb_taylor_flow(Ws, Z, Y, inst.kappa, ts, dps=60)
    return inst, Ws, ts, run30, loose, ref


def test_arb_flow_agrees_with_dop853_and_tighter_run(arb_runs):
    inst, Ws, ts, run30, loose, ref = arb_runs
    a, r = _arb_states(run30, 60), _arb_states(ref, 60)
    dop = flow.flow_dop853(inst, Ws, ts, rtol=1e-13, atol=1e-15)
    a64 = np.array([[float(v) for v in th] for th in a])
    assert np.abs(a64 - dop).max() < 1e-10
    assert np.abs(a64[-1] - a64[0]).max() > 1e-2                 # it moved
    with mpmath.workdps(60):
        d = _maxdiff(a, r)
        assert 0 < d < mpmath.mpf(10) ** -26                     # ~tol 1e-27, not exact
        # the error estimate bounds the observed error (and is not vacuously large)
        assert d <= run30.error_estimate < 1e-23
        assert _maxdiff(_arb_states(loose, 60), r) <= loose.error_estimate
    assert ref.error_estimate < 1e-50 and ref.order > run30.order
    assert abs(float(run30.states[0][0][0, 0].mid()) - Ws[0][0, 0]) == 0   # t = 0 is the initial state


def test_arb_flow_loose_tolerance_is_visibly_worse(arb_runs):
    """A false accuracy claim is caught: the loose run differs from the reference by far more than
    the 30-digit run's tolerance, and its own estimate says so."""
    _, _, _, run30, loose, ref = arb_runs
    with mpmath.workdps(60):
        d = _maxdiff(_arb_states(loose, 60), _arb_states(ref, 60))
    assert d > 1e-15 and loose.error_estimate > 1e-15 and loose.steps > run30.steps


def test_arb_flow_precision_restored_and_step_limit():
    import flint

    from verify.dynamics.flow_arb import arb_taylor_flow

    inst, Ws = models.make_problem(1)
    old = flint.ctx.prec
    arb_taylor_flow(Ws, inst.G, inst.Y, 1, [0.0, 0.1], dps=40)
    assert flint.ctx.prec == old
    with pytest.raises(ArithmeticError):
        arb_taylor_flow(Ws, inst.G, inst.Y, 1, [0.0, 5.0], dps=30, h_max=0.1, max_steps=3)
    assert flint.ctx.prec == old
    with pytest.raises(InputError):                               # flow_taylor keeps its InputError
        flow.flow_taylor(inst, Ws, [0.0, 5.0], dps=30, h_max=0.1, max_steps=3)
    with pytest.raises(InputError):
        arb_taylor_flow(Ws, inst.G, inst.Y, 1, [1.0, 0.5], dps=30)
    with pytest.raises(InputError):                               # shapes that do not chain
        arb_taylor_flow(Ws[::-1], inst.G, inst.Y, 1, [0.0, 0.5], dps=30)


def test_flow_taylor_uses_arb_and_matches_float64(arb_runs):
    inst, Ws, ts, run30, _, ref = arb_runs
    fr = flow.flow_taylor(inst, Ws, ts, dps=30)
    assert fr.method == "taylor-arb" and fr.settings["prec_bits"] == run30.prec
    with mpmath.workdps(60):
        assert _maxdiff(fr.thetas_exact, _arb_states(ref, 60)) <= fr.error_estimate
    t64 = flow.flow_taylor(inst, Ws, ts, dps=None)
    assert np.abs(t64.thetas64 - fr.thetas64).max() < 1e-12

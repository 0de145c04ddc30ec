"""Reference gradient flow: Taylor series (mpmath/float64) vs DOP853 vs mpmath.odefun."""
import mpmath
import numpy as np
import pytest

from verify.dynamics import flow as F
from verify.dynamics import models as M
from verify.errors import InputError


@pytest.fixture(scope="module")
def tiny():
    inst = M.make_instance(5, n=5, m_x=2, hidden=2, H=1, n_train=3)
    return inst, M.init_weights(inst, 6)


def test_taylor_mp_matches_mpmath_odefun(tiny):
    inst, Ws = tiny
    ts = [0.0, 0.05, 0.1]
    ref = F.flow_taylor(inst, Ws, ts, dps=25)
    with mpmath.workdps(25):
        I = M.as_object(inst, "mpf")
        y0 = list(M.pack(M.to_object(Ws, "mpf")))
        rhs = lambda t, y: list(-M.pack(M.grads(I, M.unpack(np.array(y, dtype=object), inst.shapes))))
        sol = mpmath.odefun(rhs, 0, y0)
        for t, th in zip(ts, ref.thetas_exact):
            d = max(abs(a - b) for a, b in zip(sol(mpmath.mpf(t)), th))
            assert d < mpmath.mpf(10) ** -18, (t, d)
    assert ref.error_estimate < 1e-20


def test_taylor_step_halving_and_error_estimate():
    inst = M.make_instance(0)
    Ws = M.init_weights(inst, 1)
    ts = [0.0, 0.25, 0.5]
    a = F.flow_taylor(inst, Ws, ts, dps=20)
    b = F.flow_taylor(inst, Ws, ts, dps=20, h_max=0.025)  # at least twice as many steps
    with mpmath.workdps(20):
        d = max(abs(x - y) for x, y in zip(a.thetas_exact[-1], b.thetas_exact[-1]))
    assert d < 1e-15 and a.error_estimate < 1e-15 and b.steps >= 2 * a.steps
    # float64 paths agree with it to ~1e-13
    c = F.flow_dop853(inst, Ws, ts)
    assert np.abs(c - a.thetas64).max() < 1e-11
    t64 = F.flow_taylor(inst, Ws, ts, dps=None)
    assert np.abs(t64.thetas64 - a.thetas64).max() < 1e-12
    # a too-loose tolerance is visibly less accurate (the comparison can fail)
    loose = F.flow_taylor(inst, Ws, ts, dps=20, tol=1e-6, order=6)
    assert np.abs(loose.thetas64 - a.thetas64).max() > 1e-12


def test_flow_decreases_loss_and_conserves_balance():
    inst = M.make_instance(0)
    Ws = M.init_weights(inst, 1)
    ts = np.linspace(0, 2, 5)
    th = F.flow_dop853(inst, Ws, ts)
    Ls = [M.loss(inst, M.unpack(t, inst.shapes)) for t in th]
    assert all(np.diff(Ls) < 0)
    D0 = M.balance_gaps(Ws)
    D1 = M.balance_gaps(M.unpack(th[-1], inst.shapes))
    assert max(np.abs(a - b).max() for a, b in zip(D0, D1)) < 1e-10


def test_variational_equals_modified_to_second_order():
    inst = M.make_instance(0)
    Ws = M.init_weights(inst, 1)
    ts = [0.0, 1.0]
    th, delta = F.variational_dop853(inst, Ws, ts)
    eta = 1e-3
    mod = F.flow_dop853(inst, Ws, ts, eta=eta)
    # the two first-order predictions differ by O(eta^2)
    assert np.linalg.norm(mod[-1] - (th[-1] + eta * delta[-1])) < 10 * eta ** 2
    assert np.linalg.norm(mod[-1] - th[-1]) > eta * 0.05


def test_bad_times():
    inst = M.make_instance(0)
    with pytest.raises(InputError):
        F.flow_dop853(inst, M.init_weights(inst, 1), [0.0, -1.0])
    with pytest.raises(InputError):
        F.flow_reference(inst, M.init_weights(inst, 1), [0.0, 1.0], method="euler")

"""Chain model of Xu et al. / arXiv 2501.14440: gradients, HVPs, projector, excess loss."""
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import torch

from verify.dynamics import models
from verify.errors import InputError


@pytest.fixture(scope="module")
def inst():
    return models.make_instance(0)


def test_instance_shape_matches_math_md(inst):
    assert inst.widths == (3, 4, 4, 1) and inst.H == 2 and len(inst.train) == 5 and inst.n == 8
    assert inst.n_params == 32 and [tuple(w.shape) for w in models.init_weights(inst, 1)] == inst.shapes
    S = inst.S
    assert np.allclose(S, S.T) and np.all(np.diag(S) > 0)  # symmetric, self-loops
    # same seed, same instance; another seed, another one
    assert np.array_equal(models.make_instance(0).X, inst.X) and not np.array_equal(
        models.make_instance(1).X, inst.X
    )


def test_gradient_matches_finite_differences_and_autograd(inst):
    Ws = models.init_weights(inst, 1)
    th = models.pack(Ws)
    g = models.pack(models.grads(inst, Ws))
    e = 1e-6
    fd = np.array(
        [
            (
                models.loss(inst, models.unpack(th + e * u, inst.shapes))
                - models.loss(inst, models.unpack(th - e * u, inst.shapes))
            )
            / (2 * e)
            for u in np.eye(th.size)
        ]
    )
    assert np.abs(fd - g).max() < 1e-7 * (1 + np.abs(g).max())
    Wt = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in Ws]
    L = models.chain_loss(Wt, torch.tensor(inst.G), torch.tensor(inst.Y), 1.0)
    L.backward()
    ga = models.pack([w.grad.numpy() for w in Wt])
    assert np.abs(ga - g).max() < 1e-12 * (1 + np.abs(g).max())
    # a wrong gradient (the seed's sign slip 2(Y - Yhat)) is detected by the same comparison
    assert np.abs(fd + g).max() > 1e-2


def test_hvp_matches_autograd_and_fd(inst):
    Ws = models.init_weights(inst, 2)
    rng = np.random.default_rng(0)
    Vs = [rng.standard_normal(w.shape) for w in Ws]
    hv = models.pack(models.hvp(inst, Ws, Vs))
    Wt = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in Ws]
    L = models.chain_loss(Wt, torch.tensor(inst.G), torch.tensor(inst.Y), 1.0)
    gr = torch.autograd.grad(L, Wt, create_graph=True)
    dot = sum((g * torch.tensor(v)).sum() for g, v in zip(gr, Vs))
    ha = models.pack([h.numpy() for h in torch.autograd.grad(dot, Wt)])
    assert np.abs(ha - hv).max() < 1e-11 * (1 + np.abs(hv).max())
    e = 1e-5
    th, v = models.pack(Ws), models.pack(Vs)
    fd = (
        models.pack(models.grads(inst, models.unpack(th + e * v, inst.shapes)))
        - models.pack(models.grads(inst, models.unpack(th - e * v, inst.shapes)))
    ) / (2 * e)
    assert np.abs(fd - hv).max() < 1e-6 * (1 + np.abs(hv).max())


def test_batched_torch_matches_numpy(inst):
    per = [models.init_weights(inst, s) for s in range(3)]
    Wt = [torch.tensor(np.stack([p[i] for p in per])) for i in range(3)]
    gt = models.chain_grads(Wt, torch.tensor(inst.G), torch.tensor(inst.Y), 1.0)
    for c in range(3):
        gn = models.grads(inst, per[c])
        for a, b in zip(gt, gn):
            assert np.allclose(a[c].numpy(), b, rtol=1e-13, atol=1e-13)
    Lt = models.chain_loss(Wt, torch.tensor(inst.G), torch.tensor(inst.Y), 1.0)
    assert np.allclose(Lt.numpy(), [models.loss(inst, p) for p in per], rtol=1e-14)


def test_projector_compact_svd_and_excess_loss(inst):
    Pi = models.row_projector(inst.G)
    assert Pi.shape == (5, 5) and np.allclose(Pi @ Pi, Pi) and np.allclose(Pi, Pi.T)
    assert round(np.trace(Pi)) == 3  # rank m_x = 3 < |I| = 5, so Pi != I
    Ws = models.init_weights(inst, 1)
    ex = models.excess_loss(inst, Ws)
    assert abs(ex - (models.loss(inst, Ws) - models.optimal_loss(inst))) < 1e-12
    # high precision: excess = L - L* to 40 digits (Pythagoras), and not for a full projector
    with mpmath.workdps(50):
        inst_mp = models.as_object(inst, "mpf")
        W = models.to_object(Ws, "mpf")
        d = models.excess_loss(inst_mp, W) - (models.loss(inst_mp, W) - models.optimal_loss(inst_mp))
        assert abs(d) < mpmath.mpf(10) ** -40
    full = np.eye(5)
    assert (
        abs(models.excess_loss(inst, Ws, full) - models.loss(inst, Ws)) < 1e-12
    )  # the wrong Pi gives L, not L - L*
    assert models.loss(inst, Ws) - models.excess_loss(inst, Ws) > 0.01


def test_sigma_small_and_lambda(inst):
    s = models.sigma_small(inst.G)
    assert abs(s - np.linalg.svd(inst.G, compute_uv=False)[-1]) < 1e-14
    narrow = models.make_instance(0, hidden=[2, 4])  # a width below m_x: lambda_min = 0
    assert models.lambda_min_prefix(models.init_weights(narrow, 1)) < 1e-12
    assert models.lambda_min_prefix(models.init_weights(inst, 1)) > 1e-4


def test_exact_arithmetic_paths(inst):
    inst_q = models.as_object(inst, "fraction")
    W = models.to_object(models.init_weights(inst, 1), "fraction")
    g = models.grads(inst_q, W)
    assert all(isinstance(v, Fraction) for v in g[0].ravel())
    assert np.allclose(
        np.array(g[2], dtype=float), models.grads(inst, models.init_weights(inst, 1))[2], rtol=1e-12
    )


def test_zero_first_and_kappa():
    inst = models.make_instance(3, kappa=0.5)
    Ws = models.init_weights(inst, 4, zero_first=True)
    assert not Ws[0].any()
    g = models.grads(inst, Ws)
    assert not g[1].any() and not g[2].any() and g[0].any()  # later layers still at t = 0
    assert abs(models.loss(inst, Ws) - 0.5 * (inst.Y ** 2).sum()) < 1e-14


@pytest.mark.parametrize("kw", [dict(H=0, hidden=[]), dict(n_train=9), dict(p_edge=1.5), dict(hidden=[4])])
def test_bad_instance_options(kw):
    with pytest.raises(InputError):
        models.make_instance(0, **kw)

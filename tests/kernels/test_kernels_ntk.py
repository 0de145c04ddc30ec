"""NNGP/NTK Gram matrices: hand values, float64 against mpmath, neural-tangents mapping, properties."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from verify.errors import InputError
from verify.kernels.ntk import neural_tangents_gram, ntk_gram, ntk_gram_mp


def _unit(theta):
    return np.array([math.cos(theta), math.sin(theta)])


def _mp_float(m):
    return np.array([[float(v) for v in row] for row in m])


def test_arora_one_hidden_layer_hand_value():
    thetas = [0.0, 1e-6, 0.3, 1.0, math.pi / 2, 2.5, math.pi - 1e-6, math.pi]
    x = np.array([_unit(t) for t in thetas])
    _, ntk = ntk_gram(x, 1, "arora")
    for i, t in enumerate(thetas):
        rho = math.cos(t)
        hand = (2 * rho * (math.pi - t) + math.sin(t)) / math.pi
        assert abs(ntk[0, i] - hand) <= 1e-14 * max(1.0, abs(hand))


@pytest.mark.parametrize("depth", [0, 1, 2, 5])
def test_arora_diagonal_is_depth_plus_one_times_norm(depth):
    x = np.random.default_rng(0).normal(size=(5, 4))
    _, ntk = ntk_gram(x, depth, "arora")
    assert np.allclose(np.diag(ntk), (depth + 1) * np.sum(x * x, axis=1), rtol=1e-14, atol=0)


def test_jacot_hand_values():
    x = np.array([[1.0, 2.0, 0.5], [-0.3, 1.0, 2.0]])
    n0, beta = 3, 0.4
    s1 = x @ x.T / n0 + beta ** 2
    nngp1, ntk1 = ntk_gram(x, 1, "jacot", bias=beta)
    assert np.allclose(nngp1, s1, rtol=1e-15) and np.allclose(ntk1, s1, rtol=1e-15)
    a, b, c = s1[0, 0], s1[1, 1], s1[0, 1]
    th = math.acos(c / math.sqrt(a * b))
    s2 = math.sqrt(a * b) * (math.sin(th) + (math.pi - th) * math.cos(th)) / (2 * math.pi) + beta ** 2
    ds2 = (math.pi - th) / (2 * math.pi)
    nngp2, ntk2 = ntk_gram(x, 2, "jacot", bias=beta)
    assert abs(nngp2[0, 1] - s2) < 1e-14 * s2
    assert abs(ntk2[0, 1] - (c * ds2 + s2)) < 1e-14 * (c * ds2 + s2)
    assert abs(nngp2[0, 0] - (a / 2 + beta ** 2)) < 1e-15 * a
    # a wrong convention (Arora's c_σ = 2 inside Jacot's recursion) is detected by the same comparison
    assert abs(2 * (s2 - beta ** 2) + beta ** 2 - nngp2[0, 1]) > 1e-3


def _points():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(6, 3))
    x[3] = x[0]                       # duplicated point
    x[4] = -2.0 * x[1]                # antipodal direction
    r = 1 - 1e-12
    near = np.array(
        [[1.0, 0.0, 0.0], [r, math.sqrt((1 - r) * (1 + r)), 0.0], [-r, math.sqrt((1 - r) * (1 + r)), 0.0]]
    )
    return np.vstack([x, near])


@pytest.mark.parametrize("convention,depth,bias,activation", [
    ("jacot", 1, 0.0, "relu"), ("jacot", 3, 0.0, "relu"), ("jacot", 4, 0.5, "relu"),
    ("arora", 1, 0.0, "relu"), ("arora", 3, 0.3, "relu"), ("arora", 6, 0.0, "relu"),
    ("jacot", 3, 0.2, "erf"), ("arora", 2, 0.0, "identity"),
])
def test_float64_matches_mpmath_to_1e_12(convention, depth, bias, activation):
    x = _points()
    nngp, ntk = ntk_gram(x, depth, convention, bias, activation)
    nm, km = ntk_gram_mp(x, depth, convention, bias, activation, dps=40)
    nm, km = _mp_float(nm), _mp_float(km)
    for f64, ref in ((nngp, nm), (ntk, km)):
        scale = np.sqrt(np.outer(np.diag(ref), np.diag(ref)))
        assert np.max(np.abs(f64 - ref) / scale) < 1e-12
        # relative accuracy on every entry that is not a (near) cancellation to 0
        big = np.abs(ref) > 1e-6 * scale
        assert np.max(np.abs(f64 - ref)[big] / np.abs(ref)[big]) < 1e-12
    # the pair at ρ = 1 − 1e-12 specifically (rows 6 and 7)
    assert abs(ntk[6, 7] - km[6, 7]) <= 1e-12 * abs(km[6, 7])


def test_generic_activation_float64_against_mpmath():
    x = np.array([[0.6, 0.2], [0.1, -0.5]])
    _, ntk = ntk_gram(x, 2, "jacot", activation="tanh(z)")
    _, km = ntk_gram_mp(x, 2, "jacot", activation="tanh(z)", dps=20)
    assert np.max(np.abs(ntk - _mp_float(km))) < 1e-10


def test_neural_tangents_mapping():
    x = np.random.default_rng(3).normal(size=(5, 4))
    for L, beta in ((1, 0.0), (3, 0.7)):
        a = ntk_gram(x, L, "jacot", bias=beta)
        b = neural_tangents_gram(x, L - 1, 1.0, beta)
        assert np.allclose(a[0], b[0], rtol=1e-14) and np.allclose(a[1], b[1], rtol=1e-14)
    a = ntk_gram(x * math.sqrt(2 / x.shape[1]), 3, "arora")
    b = neural_tangents_gram(x, 3, math.sqrt(2), 0.0)
    assert np.allclose(a[0], b[0], rtol=1e-13) and np.allclose(a[1], b[1], rtol=1e-13)


@settings(max_examples=25)
@given(arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 4)),
              elements=st.floats(-3, 3, allow_nan=False, width=64)),
       st.sampled_from(["jacot", "arora"]), st.integers(1, 4), st.floats(0.1, 4.0))
def test_properties_symmetry_psd_scaling(x, convention, depth, t):
    nngp, ntk = ntk_gram(x, depth, convention)
    for k in (nngp, ntk):
        assert np.array_equal(k, k.T)
        scale = max(1.0, np.max(np.abs(k)))
        assert np.linalg.eigvalsh(k).min() >= -1e-12 * scale
    # positive homogeneity of ReLU (no bias): Θ(tx, tx') = t² Θ(x, x')
    _, ntk_t = ntk_gram(t * x, depth, convention)
    assert np.allclose(ntk_t, t * t * ntk, rtol=1e-12, atol=1e-12 * t * t * max(1.0, np.max(np.abs(ntk))))


@pytest.mark.parametrize("kwargs", [
    {"depth": -1, "convention": "arora"}, {"depth": 0, "convention": "jacot"},
    {"depth": 2, "convention": "neural"}, {"depth": 1.5, "convention": "arora"},
])
def test_bad_options(kwargs):
    with pytest.raises(InputError):
        ntk_gram(np.eye(2), **kwargs)


def test_bad_points():
    with pytest.raises(InputError, match="NaN"):
        ntk_gram(np.array([[1.0, float("nan")]]), 1, "jacot")
    with pytest.raises(InputError):
        ntk_gram(np.zeros((0, 3)), 1, "jacot")
    with pytest.raises(InputError):
        ntk_gram_mp(np.array([[float("inf")]]), 1, "jacot")


def test_zero_point_is_handled_consistently():
    x = np.array([[0.0, 0.0], [1.0, 2.0]])
    nngp, ntk = ntk_gram(x, 2, "arora")
    nm, km = ntk_gram_mp(x, 2, "arora", dps=30)
    assert np.allclose(ntk, _mp_float(km), rtol=1e-14, atol=0) and np.allclose(
        nngp, _mp_float(nm), rtol=1e-14, atol=0
    )
    assert ntk[0, 0] == 0.0 and ntk[0, 1] == 0.0


def _hard_points():
    """Near-parallel and near-antipodal pairs (cos θ = ±(1 − 1e-12)), a duplicate and an antipode,
    rotated by a random orthogonal matrix so that no coordinate is trivially exact."""
    r = 1 - 1e-12
    t = math.sqrt((1 - r) * (1 + r))
    base = np.array([[1.0, 0.0, 0.0], [r, t, 0.0], [-r, t, 0.0], [0.3, -0.2, 0.9], [0.3, -0.2, 0.9],
                     [-0.6, 0.4, -1.8], [0.2, 0.5, -0.1]])
    q = np.linalg.qr(np.random.default_rng(5).normal(size=(3, 3)))[0]
    return np.vstack([base, base[:4] @ q])


@pytest.mark.parametrize("convention,depth,bias", [("arora", 1, 0.0), ("arora", 3, 0.0), ("jacot", 3, 0.5),
                                                   ("arora", 2, 0.3), ("jacot", 1, 0.0)])
def test_relu_gram_matches_mpmath_to_1e_14_near_rho_plus_minus_one(convention, depth, bias):
    x = _hard_points()
    nngp, ntk = ntk_gram(x, depth, convention, bias)
    nm, km = ntk_gram_mp(x, depth, convention, bias, dps=40)
    for f64, ref in ((nngp, _mp_float(nm)), (ntk, _mp_float(km))):
        assert np.array_equal(f64, f64.T)
        scale = np.sqrt(np.outer(np.diag(ref), np.diag(ref)))
        # relative 1e-14 on every entry; the floor 1e-30·scale admits the reference's own rounding at
        # 40 digits where the exact value is 0 (an exact antipode: Σ = 0, the reference gives ~1e-52)
        assert np.all(np.abs(f64 - ref) <= 1e-14 * np.abs(ref) + 1e-30 * scale)


def test_cross_kernel_tiles_and_threads():
    x = np.random.default_rng(8).normal(size=(70, 5))
    nngp, ntk = ntk_gram(x, 3, "arora", tile=16, workers=1)
    assert np.array_equal(ntk, ntk_gram(x, 3, "arora", tile=16, workers=3)[1])   # threads: same bits
    assert np.max(np.abs(ntk_gram(x, 3, "arora", tile=7)[1] - ntk) / np.abs(ntk)) < 1e-14
    c_nngp, c_ntk = ntk_gram(x[:30], 3, "arora", x2=x[20:], tile=16)
    assert c_ntk.shape == (30, 50)
    assert np.max(np.abs(c_ntk - ntk[:30, 20:]) / np.abs(ntk[:30, 20:])) < 1e-14
    assert np.max(np.abs(c_nngp - nngp[:30, 20:]) / np.abs(nngp[:30, 20:])) < 1e-14
    with pytest.raises(InputError, match="columns"):
        ntk_gram(x, 2, "arora", x2=np.ones((3, 4)))
    with pytest.raises(InputError, match="tile"):
        ntk_gram(x, 2, "arora", tile=0)
    with pytest.raises(InputError, match="workers"):
        ntk_gram(x, 2, "arora", workers=0)

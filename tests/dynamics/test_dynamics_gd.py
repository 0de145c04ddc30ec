"""Batched torch GD runner."""
import numpy as np
import pytest
import torch

from verify.device import resolve_device
from verify.dynamics import gd
from verify.dynamics import models
from verify.errors import InputError


@pytest.fixture(scope="module")
def inst():
    return models.make_instance(0)


def test_batched_matches_numpy_loop_and_checkpoints(inst):
    Ws = models.init_weights(inst, 1)
    etas = [0.1, 0.05, 0.025]
    run = gd.run_gd_batched(inst, etas, 1.0, init=Ws)
    assert np.allclose(run.ckpt_times, np.arange(11) * 0.1) and list(run.steps) == [10, 20, 40]
    for c, e in enumerate(etas):
        K = int(round(1.0 / e))
        _, rec = gd.gd_numpy(inst, Ws, e, K, record_every=K // 10)
        for j in range(11):
            assert np.abs(run.theta_at(c, j) - rec[j]).max() < 1e-14


def test_per_config_seeds_and_traces(inst):
    run = gd.run_gd_batched(inst, [0.05, 0.05], 0.5, seeds=[3, 4], trace=True)
    assert not np.allclose(run.theta_at(0, 0), run.theta_at(1, 0))
    assert np.allclose(run.theta_at(0, 0), models.pack(models.init_weights(inst, 3)))
    ex = run.traces["excess"][0]
    Ws_end = models.unpack(run.theta_at(0, -1), inst.shapes)
    assert abs(ex[-1] - models.excess_loss(inst, Ws_end)) < 1e-13
    assert (
        abs(run.traces["lambda_min"][0, 0] - models.lambda_min_prefix(models.init_weights(inst, 3))) < 1e-12
    )


def test_device_resolution():
    if not torch.cuda.is_available():
        assert resolve_device("auto") == "cpu"
        with pytest.raises(InputError):
            resolve_device("cuda")
    with pytest.raises(InputError):
        resolve_device("tpu")


def test_bad_step_sizes(inst):
    with pytest.raises(InputError):
        gd.run_gd_batched(inst, [0.3], 1.0)  # T not a multiple of eta
    with pytest.raises(InputError):
        gd.run_gd_batched(inst, [-0.1], 1.0)
    with pytest.raises(InputError):
        gd.run_gd_batched(inst, [0.1], -1.0)


def test_float32_is_worse_than_float64(inst):
    Ws = models.init_weights(inst, 1)
    r64 = gd.run_gd_batched(inst, [1 / 512], 1.0, init=Ws)
    r32 = gd.run_gd_batched(inst, [1 / 512], 1.0, init=Ws, dtype="float32")
    _, rec = gd.gd_numpy(inst, Ws, 1 / 512, 512, record_every=512)
    assert np.abs(r64.theta_at(0, -1) - rec[-1]).max() < 1e-13
    assert np.abs(r32.theta_at(0, -1) - rec[-1]).max() > 1e-8

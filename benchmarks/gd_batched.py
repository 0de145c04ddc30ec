"""Benchmark: batched torch GD throughput and reference-integrator accuracy/time.

    python benchmarks/gd_batched.py [--quick]

1. GD on the 32-parameter instance of docs/math.md's shape (seed 0): config-steps per second for the
   batched torch runner at batch 1, 1024 and 4096 (float64, CPU; CUDA too when available)
   against a plain per-configuration numpy loop measured in the same run; ratios printed.
2. Gradient-flow references on [0, T]: Taylor series in python-flint ball arithmetic (30 and 50 digits)
   vs float64 DOP853 (rtol 1e-13) and the float64 Taylor series; the errors are measured against the
   50-digit run.
   mpmath.odefun on a short interval as a second baseline.
"""
from __future__ import annotations

import argparse
import time

import mpmath
import numpy as np
import torch

from verify.dynamics import flow
from verify.dynamics import gd
from verify.dynamics import models


REPEATS = 3  # best of 3: the machine is shared, the minimum time is the least disturbed one


def gd_throughput(inst, batch: int, steps: int, device: str) -> float:
    etas = np.full(batch, 0.01)
    T = steps * 0.01
    best = float("inf")
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        gd.run_gd_batched(inst, etas, T, seeds=list(range(batch)), ckpt_dt=T, device=device)
        if device == "cuda":
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - t0)
    return batch * steps / best


def loop_throughput(inst, n_configs: int, steps: int) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        for s in range(n_configs):
            gd.gd_numpy(inst, models.init_weights(inst, s), 0.01, steps)
        best = min(best, time.perf_counter() - t0)
    return n_configs * steps / best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    ap.add_argument("--skip-flow", action="store_true", help="only the GD throughput part")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    inst = models.make_instance(0)
    print(f"instance: {inst.describe()}; torch threads {torch.get_num_threads()}")
    steps = 100 if a.quick else 400
    base = loop_throughput(inst, 4 if a.quick else 16, steps)
    print(f"numpy per-config loop: {base:,.0f} config-steps/s (baseline)")
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    if len(devices) == 1:
        print("CUDA: not available on this machine (no figure)")
    for dev in devices:
        for batch in (1, 1024, 4096):
            st = steps if batch == 1 else max(20, steps // 4)
            r = gd_throughput(inst, batch, st, dev)
            print(
                f"torch batched {dev} batch {batch:5d}: {r:,.0f} config-steps/s  ({r / base:.1f}x the loop)"
            )

    if a.skip_flow:
        return
    T = 1.0 if a.quick else 5.0
    ts = np.linspace(0, T, 9)
    print(f"\ngradient flow on [0, {T}] (9 output times):")
    ref50 = flow.flow_taylor(inst, models.init_weights(inst, 1), ts, dps=50)
    print(
        f"  Taylor (arb) 50 digits: {ref50.seconds:.2f} s, {ref50.steps} steps, order "
        f"{ref50.settings['order']}, "
        f"own error estimate {ref50.error_estimate:.2e}"
    )
    ref30 = flow.flow_taylor(inst, models.init_weights(inst, 1), ts, dps=30)
    with mpmath.workdps(50):
        d30 = max(
            abs(x - y) for a_, b_ in zip(ref30.thetas_exact, ref50.thetas_exact) for x, y in zip(a_, b_)
        )
    print(f"  Taylor (arb) 30 digits: {ref30.seconds:.2f} s, error vs 50 digits {float(d30):.2e} "
          f"(own estimate {ref30.error_estimate:.2e})")
    flow.flow_dop853(
        inst, models.init_weights(inst, 1), [0.0, 0.01]
    )  # warm-up: scipy import outside the timing
    t0 = time.perf_counter()
    dop = flow.flow_dop853(inst, models.init_weights(inst, 1), ts)
    tdop = time.perf_counter() - t0
    print(
        f"  DOP853 float64 rtol 1e-13: {tdop:.3f} s, error vs 50 digits "
        f"{np.abs(dop - ref50.thetas64).max():.2e}; "
        f"Taylor-30 / DOP853 time ratio {ref30.seconds / tdop:.0f}x"
    )
    t64 = flow.flow_taylor(inst, models.init_weights(inst, 1), ts, dps=None)
    print(
        f"  Taylor float64: {t64.seconds:.3f} s, error vs 50 digits "
        f"{np.abs(t64.thetas64 - ref50.thetas64).max():.2e}"
    )
    # mpmath.odefun baseline on a short interval
    tshort = 0.1
    with mpmath.workdps(20):
        inst_mp = models.as_object(inst, "mpf")
        y0 = list(models.pack(models.to_object(models.init_weights(inst, 1), "mpf")))
        def rhs(t, y):
            return list(
                -models.pack(models.grads(inst_mp, models.unpack(np.array(y, dtype=object), inst.shapes)))
            )

        t0 = time.perf_counter()
        sol = mpmath.odefun(rhs, 0, y0)
        yo = sol(mpmath.mpf(tshort))
        todef = time.perf_counter() - t0
    tay = flow.flow_taylor(inst, models.init_weights(inst, 1), [0.0, tshort], dps=20)
    with mpmath.workdps(20):
        dd = max(abs(x - y) for x, y in zip(yo, tay.thetas_exact[-1]))
    print(f"  on [0, {tshort}] at 20 digits: mpmath.odefun {todef:.2f} s, Taylor {tay.seconds:.2f} s "
          f"({todef / tay.seconds:.1f}x faster), difference {float(dd):.1e}")


if __name__ == "__main__":
    main()

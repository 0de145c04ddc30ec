"""gd-gap study: gradient descent vs gradient flow on the linear GNN of Xu et al.

Measures, for η = T/2^j, the parameter / train-prediction / test-prediction / excess-loss gaps
between GD and the reference flow, their observed orders in η (≈ 1), the residuals of the
first-order predictions (modified flow and variational equation; order ≈ 2), an underdetermined
configuration (|I| < m_x) where the test-node gap survives at long times, the proof's bound
evaluated along GD iterates (with a search for violations), and the exact one-step identity for
the balancedness matrices.  Every setting and seed is printed; rerunning with them reproduces
the numbers.

``compute(settings(...))`` returns every number as a JSON-friendly dict; ``verify experiment gd-gap``
prints it.
"""
from __future__ import annotations

import math
import time
from typing import Callable

import numpy as np

from ..device import resolve_device
from ..dynamics import bound, flow, gap, models
from ..dynamics.gd import steps_for
from ..config import check_dps
from ..errors import InputError

NAME = "gd-gap"

FULL = {"T": 5.0, "j": (7, 12), "T_long": 40.0, "etas_long": (0.04, 0.02, 0.01), "bound_seeds": 6,
         "reference": "taylor"}
QUICK = {"T": 2.0, "j": (4, 7), "T_long": 12.0, "etas_long": (0.04, 0.02), "bound_seeds": 2,
          "reference": "dop853"}


def settings(*, seed: int = 1, instance: str = "math_md", T: float | None = None, etas: str | None = None,
             quick: bool = False, reference: str | None = None, dps: int = 30, bound_seeds: int | None = None,
             device: str = "cpu") -> dict:
    """Validated settings (InputError, one line, for a bad value).

    ``etas`` is a comma-separated list of step sizes dividing T (default T/2^j, j = 7..12; quick 4..7);
    ``instance`` "math_md" draws instance and weights from one stream ``default_rng(seed)``
    (:func:`verify.dynamics.models.make_problem`), "split" uses ``make_instance(seed)`` and
    ``init_weights(seed + 1)``."""
    base = QUICK if quick else FULL
    if seed < 0:
        raise InputError(f"--seed must be a non-negative integer (got {seed})")
    if instance not in ("math_md", "split"):
        raise InputError(f"--instance must be math_md or split (got {instance!r})")
    T = base["T"] if T is None else T
    if not (isinstance(T, float) and math.isfinite(T) and T > 0):
        raise InputError(f"--T must be a positive finite number (got {T})")
    if etas is None:
        etas = [T / 2 ** j for j in range(base["j"][0], base["j"][1] + 1)]
    else:
        try:
            etas = [float(x) for x in etas.split(",") if x.strip()]
        except ValueError:
            raise InputError(f"--etas must be comma-separated numbers (got {etas!r})") from None
        if not etas:
            raise InputError("--etas is empty")
        for e in etas:
            if not (math.isfinite(e) and e > 0):
                raise InputError(f"--etas: every step size must be > 0 and finite (got {e})")
        if len(set(etas)) < 2:
            raise InputError("--etas needs at least two different step sizes to measure an order")
    emax = max(etas)
    for e in etas:
        steps_for(T, e, "T")
        steps_for(emax, e, "the largest eta")
    chosen = resolve_device(device)
    reference = reference or base["reference"]
    if reference not in ("dop853", "taylor"):
        raise InputError(f"--reference must be dop853 or taylor (got {reference!r})")
    check_dps(dps)
    nb = base["bound_seeds"] if bound_seeds is None else bound_seeds
    if nb < 0 or nb > 200:
        raise InputError(f"--bound-seeds must lie in [0, 200] (got {nb})")
    return {"seed": seed, "instance": instance,
            "init_seed": seed + 1 if instance == "split" else "same stream as the instance", "T": T,
            "etas": sorted(etas, reverse=True),
            "device_requested": device, "device": chosen, "reference": reference, "dps": dps,
            "quick": bool(quick), "bound_seeds": nb, "T_long": base["T_long"],
            "etas_long": list(base["etas_long"])}


def _problem(s: dict, **kw) -> tuple:
    """Instance and initial factors: one stream (``math_md``) or instance and weights apart (``split``)."""
    if s["instance"] == "math_md":
        return models.make_problem(s["seed"], **kw)
    inst = models.make_instance(s["seed"], **kw)
    return inst, models.init_weights(inst, s["seed"] + 1)


def _bound_along_gd_and_flow(inst, Ws0, s: dict) -> dict:
    """The proof's bound along the GD iterates of every η and along the flow (201 times on [0, T]),
    with the flow's observed rate over the last fifth next to the proved one."""
    br = bound.bound_ratios(inst, Ws0, s["etas"], [int(round(s["T"] / e)) for e in s["etas"]])
    out = {"sigma2": br["sigma2"], "per_eta": br["per_eta"],
           "rate_4_lambda_sigma2": [4 * r["lambda_run_final"] * br["sigma2"] for r in br["per_eta"]]}
    t_fl = np.linspace(0.0, s["T"], 201)
    th_fl = flow.flow_dop853(inst, Ws0, t_fl)
    bf = bound.flow_bound_ratios(inst, th_fl, t_fl)
    ex_fl = [float(models.excess_loss(inst, models.unpack(x, inst.shapes))) for x in th_fl[-41:]]
    bf["observed_rate_last_fifth"] = -math.log(ex_fl[-1] / ex_fl[0]) / (t_fl[-1] - t_fl[-41])
    bf["observed_over_proved_rate"] = bf["observed_rate_last_fifth"] / bf["rate"] if bf["rate"] > 0 else None
    bf.pop("ratios")
    out["flow"] = bf
    return out


def _bound_search(s: dict, progress) -> dict | None:
    """Search for GD runs that violate the bound; the worst stable failure is re-checked at 40 digits."""
    if not s["bound_seeds"]:
        return None
    search = bound.bound_search(range(s["seed"], s["seed"] + s["bound_seeds"]), T=s["T"], progress=progress)
    if search["n_fail"]:
        search.update(bound.classify_failures(search))
        worst = max((r for r in search["rows"] if not r["holds"] and not r["diverged"]),
                    key=lambda r: r["max_ratio"], default=None)
        if worst is not None and worst["argmax_step"] <= 200:
            instf = models.make_instance(worst["seed"])
            Wf = models.init_weights(instf, worst["seed"] + 1000)
            mp = bound.bound_ratios_mp(instf, Wf, worst["eta"], worst["argmax_step"], dps=40)
            search["worst_failure_recheck_mp40"] = {"seed": worst["seed"], "eta": worst["eta"],
                                                    "step": worst["argmax_step"],
                                                    "ratio_float64": worst["max_ratio"],
                                                    "ratio_mp40": float(mp[-1])}
    return search


def compute(settings: dict, progress: Callable[[str], None] | None = None) -> dict:
    """All measurements for the given settings (JSON-friendly dict)."""
    say = progress or (lambda _m: None)
    t0 = time.perf_counter()
    s = settings
    inst, Ws0 = _problem(s)
    say(f"gd-gap: main instance seed {s['seed']} ({inst.n_params} parameters)")
    main = gap.gap_study(inst, Ws0, s["T"], s["etas"], device=s["device"], reference=s["reference"],
                         dps=s["dps"], progress=progress)
    # the H+1-layer variant of arXiv 2501.14440: prefactor kappa = 1/2 and W_1(0) = 0
    say("gd-gap: arXiv 2501.14440 variant (kappa = 1/2, W_1(0) = 0)")
    inst_v, Ws_v = _problem(s, kappa=0.5)
    Ws_v = [np.zeros_like(Ws_v[0])] + list(Ws_v[1:])
    variant = gap.gap_study(inst_v, Ws_v, s["T"], s["etas"], device=s["device"], progress=progress)
    # long-time test-node gap: underdetermined (|I| = 2 < m_x = 3) vs the main shape
    say("gd-gap: long-time runs (underdetermined and determined)")
    inst_u, Ws_u = _problem(s, n_train=2)
    under = gap.gap_study(inst_u, Ws_u, s["T_long"], s["etas_long"], device=s["device"],
                          predictions=False, progress=progress)
    det = gap.gap_study(inst, Ws0, s["T_long"], s["etas_long"], device=s["device"],
                        predictions=False, progress=progress)
    say("gd-gap: bound along GD iterates")
    bound_main = _bound_along_gd_and_flow(inst, Ws0, s)
    search = _bound_search(s, progress)
    ident = [bound.exact_identity_check(s["seed"] + i) for i in range(3)]
    ident += [bound.exact_identity_check(s["seed"] + 10, widths=(2, 3, 2, 3, 2), n_train=4)]
    return {"experiment": NAME, "settings": s,
            "reproduce": command_line(s), "problem": problem_data(inst, Ws0, s["T"], s["etas"]),
            "main": main, "variant_2501_14440": variant,
            "long_time": {"underdetermined": under, "determined": det},
            "bound_gd": bound_main, "bound_search": search, "exact_identity": ident,
            "seconds": time.perf_counter() - t0}


def problem_data(inst, Ws0, T: float, etas) -> dict:
    """The main instance itself as nested lists, so the flow and GD can be recomputed without verify.

    Model (docs/math.md): Ŷ = W_{H+1} ··· W_1 (X S^H)_{*I}, X (m_x, n) with features as columns,
    S (n, n), train I (0-based node indices), Y (m_y, |I|); L = kappa ||Ŷ − Y||_F²; the flow is
    dW_ℓ/dt = −∇_{W_ℓ} L from W_ℓ(0) = ``W0[ℓ−1]``; GD is W ← W − η∇L with ``T/η`` steps.
    """
    return {"X": np.asarray(inst.X, float).tolist(), "S": np.asarray(inst.S, float).tolist(),
            "H": int(inst.H),
            "train": [int(i) for i in inst.train], "Y": np.asarray(inst.Y, float).tolist(),
            "kappa": float(inst.kappa), "widths": [int(w) for w in inst.widths], "T": float(T),
            "etas": [float(e) for e in etas], "W0": [np.asarray(W, float).tolist() for W in Ws0],
            "loss": "kappa * ||W_{H+1} ... W_1 (X S^H)[:, train] - Y||_F^2 (W0[0] = W_1 acts first)"}


def command_line(s: dict) -> str:
    """The ``verify experiment gd-gap`` command that reproduces these settings."""
    etas = ",".join(repr(e) for e in s["etas"])
    cmd = (
        f"verify experiment gd-gap --seed {s['seed']} --instance {s['instance']} --T {s['T']!r} --etas "
        f"{etas} "
        f"--reference {s['reference']} --dps {s['dps']} --bound-seeds {s['bound_seeds']} "
        f"--device {s['device_requested']}"
    )
    return cmd + (" --quick" if s["quick"] else "")

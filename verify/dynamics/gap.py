"""How far gradient descent drifts from gradient flow, and how well first-order theory predicts it.

For step sizes η (typically T/2^j) GD runs K = T/η steps; at the shared checkpoint times t = kη
it is compared with the reference flow θ(t):

* parameter gap ‖θ_k − θ(kη)‖₂ (flat θ), train-prediction gap ‖Ŷ_I(θ_k) − Ŷ_I(θ(t))‖_F,
  test-node prediction gap (nodes outside I), excess-loss gap |E(θ_k) − E(θ(t))| with
  E = κ‖Ŷ_I − YΠ‖² (never L − L*);
* first-order predictions: the modified flow θ̃' = −∇L − (η/2)∇²L∇L (GD follows the flow of
  L + (η/4)‖∇L‖² to O(η²)) and the variational prediction θ(t) + η δ(t) with
  δ' = −∇²L δ − ½∇²L∇L, δ(0) = 0; their residuals ‖θ_k − prediction‖ should be O(η²);
* observed orders: slopes of log(gap) against log(η) between consecutive step sizes.
"""
from __future__ import annotations

import math
import time
from typing import Sequence

import numpy as np

from ..errors import InputError
from . import flow
from . import gd
from . import models

__all__ = ["hessian", "sharpness", "orders", "gap_study"]


def hessian(inst: models.GNNInstance, Ws: Sequence[np.ndarray]) -> np.ndarray:
    """Full Hessian ∇²L(θ) (P × P, flat θ order of models.pack) from P exact HVPs."""
    shapes = inst.shapes
    P = inst.n_params
    cols = [models.pack(models.hvp(inst, Ws, models.unpack(np.eye(P)[i], shapes))) for i in range(P)]
    Hm = np.array(cols).T
    return 0.5 * (Hm + Hm.T)


def sharpness(inst: models.GNNInstance, Ws: Sequence[np.ndarray]) -> float:
    """λ_max(∇²L(θ))."""
    return float(np.linalg.eigvalsh(hessian(inst, Ws))[-1])


def orders(etas: Sequence[float], values: Sequence[float]) -> list[float | None]:
    """Local orders log(v_i/v_{i+1}) / log(η_i/η_{i+1}) for consecutive step sizes (sorted
    decreasing); None where a value is not positive."""
    out = []
    for (e1, v1), (e2, v2) in zip(zip(etas, values), list(zip(etas, values))[1:]):
        if v1 > 0 and v2 > 0 and e1 != e2:
            out.append(math.log(v1 / v2) / math.log(e1 / e2))
        else:
            out.append(None)
    return out


def _fit_order(etas, values) -> float | None:
    x = [math.log(e) for e, v in zip(etas, values) if v > 0]
    y = [math.log(v) for v in values if v > 0]
    if len(x) < 2:
        return None
    return float(np.polyfit(x, y, 1)[0])


def _references(inst, Ws0, times, reference: str, dps: int, rtol: float, say) -> tuple:
    """The reference flow at the checkpoints, its description, and a second, independent float64
    trajectory (DOP853 against a Taylor reference, the float64 Taylor series against DOP853)."""
    say(f"gap: reference flow ({reference}) at {len(times)} checkpoints")
    ref = flow.flow_reference(inst, Ws0, times, method=reference, dps=dps, rtol=rtol)
    ref_info = {"method": ref.method, "settings": ref.settings, "error_estimate": ref.error_estimate,
                "seconds": ref.seconds, "steps": ref.steps}
    if reference == "taylor":
        alt = flow.flow_dop853(inst, Ws0, times, rtol=rtol, atol=rtol * 1e-2)
        ref_info["dop853_vs_taylor_max_abs"] = float(np.abs(alt - ref.thetas64).max())
    else:
        alt = flow.flow_taylor(inst, Ws0, times, dps=None).thetas64  # independent float64 method
    return ref, ref_info, alt


def _features(inst):
    """θ ↦ (train predictions, test predictions or None, excess loss E = κ‖Ŷ − YΠ‖²)."""
    shapes = inst.shapes
    Pi = models.row_projector(np.asarray(inst.G, float))
    test_nodes = len(inst.test) > 0

    def feats(theta):
        Ws = models.unpack(theta, shapes)
        return (models.predictions(inst, Ws, "train"),
                models.predictions(inst, Ws, "test") if test_nodes else None,
                float(models.excess_loss(inst, Ws, Pi)))
    return feats, test_nodes


def _gaps(run, c: int, n_times: int, feats, ref_thetas, ref_feats, test_nodes: bool) -> tuple[list, ...]:
    """Parameter, train, test and excess-loss gaps of GD configuration ``c`` at every checkpoint."""
    gp, gtr, gte, gex = [], [], [], []
    for j in range(n_times):
        th = run.theta_at(c, j)
        ftr, fte, ex = feats(th)
        rtr, rte, rex = ref_feats[j]
        gp.append(float(np.linalg.norm(th - ref_thetas[j])))
        gtr.append(float(np.linalg.norm(ftr - rtr)))
        gte.append(float(np.linalg.norm(fte - rte)) if test_nodes else 0.0)
        gex.append(abs(ex - rex))
    return gp, gtr, gte, gex


def _eta_row(run, c: int, eta: float, times, feats, ref, ref_feats, alt_T, test_nodes: bool) -> dict:
    """The gaps of one step size against the reference (and, under ``_alt``, at T against the second
    reference: the per-quantity reference error)."""
    gp, gtr, gte, gex = _gaps(run, c, len(times), feats, ref.thetas64, ref_feats, test_nodes)
    row = {"eta": eta, "steps": int(run.steps[c]),
           "param_gap_T": gp[-1], "param_gap_max": max(gp),
           "train_gap_T": gtr[-1], "test_gap_T": gte[-1], "test_gap_max": max(gte),
           "excess_gap_T": gex[-1], "excess_gap_max": max(gex),
           "excess_gd_T": feats(run.theta_at(c, len(times) - 1))[2], "excess_flow_T": ref_feats[-1][2]}
    thT = run.theta_at(c, len(times) - 1)
    ftr, fte, ex = feats(thT)
    row["_alt"] = {"param_gap_T": float(np.linalg.norm(thT - alt_T[3])),
                   "train_gap_T": float(np.linalg.norm(ftr - alt_T[0])),
                   "test_gap_T": float(np.linalg.norm(fte - alt_T[1])) if test_nodes else 0.0,
                   "excess_gap_T": abs(ex - alt_T[2])}
    return row


def _first_order_residuals(inst, Ws0, run, c: int, eta: float, times, var, rtol: float) -> dict:
    """Distance of GD to the modified flow and to the variational prediction θ(t) + ηδ(t) (O(η²))."""
    mod = flow.flow_dop853(inst, Ws0, times, eta=eta, rtol=rtol, atol=rtol * 1e-2)
    res_mod = [float(np.linalg.norm(run.theta_at(c, j) - mod[j])) for j in range(len(times))]
    th_v, delta = var
    res_var = [float(np.linalg.norm(run.theta_at(c, j) - (th_v[j] + eta * delta[j])))
               for j in range(len(times))]
    return {"modified_residual_T": res_mod[-1], "modified_residual_max": max(res_mod),
            "variational_residual_T": res_var[-1], "variational_residual_max": max(res_var)}


_GAP_KEYS = ["param_gap_T", "train_gap_T", "test_gap_T", "excess_gap_T"]


def _orders_and_constants(etas, rows, keys, predictions: bool) -> tuple[dict, dict, dict]:
    """Local orders, fitted orders and the constants gap/η (residual/η²) at the smallest η."""
    ords = {k: orders(etas, [r[k] for r in rows]) for k in keys}
    fits = {k: _fit_order(etas, [r[k] for r in rows]) for k in keys}
    e_min = etas[-1]
    last = rows[-1]
    consts = {"param_gap_T/eta": last["param_gap_T"] / e_min,
              "test_gap_T/eta": last["test_gap_T"] / e_min}
    if predictions:
        consts["modified_residual_T/eta^2"] = last["modified_residual_T"] / e_min ** 2
        consts["variational_residual_T/eta^2"] = last["variational_residual_T"] / e_min ** 2
    return ords, fits, consts


def _reference_errors(rows, keys, ref_info: dict, reference: str) -> dict:
    """Reference error per quantity (written into ``ref_info``) and each quantity's margin.

    Taylor: its own θ error estimate (a gap moves by at most a small multiple of it); DOP853: the
    change of the gap when the reference is replaced by the float64 Taylor integrator (an
    independent method).  Residual keys (modified flow and variational equation, DOP853 at rtol)
    use the flow's θ error estimate as proxy.  Removes the rows' ``_alt`` entries."""
    alt_diff = {k: max(abs(r[k] - r["_alt"][k]) for r in rows) for k in _GAP_KEYS}
    for r in rows:
        r.pop("_alt")
    theta_err = ref_info["error_estimate"]
    if reference == "taylor":
        ref_err_by_key = {k: theta_err for k in keys}
        ref_info["dop853_fast_path_error_by_key"] = alt_diff
        ref_err_by_key.update({k: ref_info["dop853_vs_taylor_max_abs"] for k in keys if k not in _GAP_KEYS})
    else:
        ref_err_by_key = {k: alt_diff.get(k, theta_err) for k in keys}
    ref_info["error_by_key"] = ref_err_by_key
    return {
        k: (min(r[k] for r in rows) / ref_err_by_key[k]) if ref_err_by_key[k] > 0 else float("inf")
        for k in keys
    }


def _checked_etas(etas: Sequence[float], T: float) -> list[float]:
    """The step sizes, largest first, after checking that they and T are positive and finite."""
    etas = sorted((float(e) for e in etas), reverse=True)
    if not etas or any(not (e > 0 and math.isfinite(e)) for e in etas):
        raise InputError("gap_study: every eta must be a positive finite number")
    if not (T > 0 and math.isfinite(T)):
        raise InputError(f"gap_study: T must be positive and finite (got {T})")
    return etas


def gap_study(inst: models.GNNInstance, Ws0: Sequence[np.ndarray], T: float, etas: Sequence[float], *,
              device: str = "cpu", reference: str = "dop853", dps: int = 30, rtol: float = 1e-13,
              predictions: bool = True, progress=None) -> dict:
    """Measure GD-vs-GF gaps for every η in ``etas`` on [0, T]; returns a JSON-friendly dict.

    Checkpoints: t = j·max(η) (shared by all step sizes).  ``reference_margin_by_key``: for each
    measured quantity, its smallest value over η divided by the reference error of that quantity
    (``reference.error_by_key``, :func:`_reference_errors`); ``reference_margin``: the minimum.
    ``reference``: "dop853" (float64, error estimated by an rtol·100 rerun) or "taylor" (mpmath at
    ``dps`` digits; DOP853 is then also compared with it)."""
    etas = _checked_etas(etas, T)
    say = progress or (lambda _m: None)
    t_start = time.perf_counter()
    say(f"gap: GD for {len(etas)} step sizes, T = {T}")
    run = gd.run_gd_batched(inst, etas, T, init=Ws0, device=device, progress=progress)
    times = run.ckpt_times
    ref, ref_info, alt = _references(inst, Ws0, times, reference, dps, rtol, say)
    feats, test_nodes = _features(inst)
    ref_feats = [feats(th) for th in ref.thetas64]
    alt_T = (*feats(alt[-1]), alt[-1])
    var = None
    if predictions:
        say("gap: variational equation")
        var = flow.variational_dop853(inst, Ws0, times, rtol=rtol, atol=rtol * 1e-2)
    rows = []
    for c, eta in enumerate(etas):
        row = _eta_row(run, c, eta, times, feats, ref, ref_feats, alt_T, test_nodes)
        if predictions:
            say(f"gap: modified flow for eta = {eta:g}")
            row.update(_first_order_residuals(inst, Ws0, run, c, eta, times, var, rtol))
        rows.append(row)
    keys = _GAP_KEYS + (["modified_residual_T", "variational_residual_T"] if predictions else [])
    ords, fits, consts = _orders_and_constants(etas, rows, keys, predictions)
    smallest = min(min(r[k] for k in keys if r[k] > 0) for r in rows)
    margin_by_key = _reference_errors(rows, keys, ref_info, reference)
    return {
        "instance": inst.describe(),
        "T": T,
        "etas": etas,
        "checkpoint_dt": float(times[1] - times[0]) if len(times) > 1 else T,
        "n_checkpoints": len(times),
        "device": run.device,
        "dtype": run.dtype,
        "sharpness_init": sharpness(inst, Ws0),
        "stability_limit_2_over_sharpness": 2.0 / sharpness(inst, Ws0),
        "L0": float(models.loss(inst, Ws0)),
        "L_star": float(models.optimal_loss(inst)),
        "rows": rows,
        "orders": ords,
        "fitted_orders": fits,
        "constants_at_smallest_eta": consts,
        "reference": ref_info,
        "smallest_measured": smallest,
        "reference_margin": min(margin_by_key.values()),
        "reference_margin_by_key": margin_by_key,
        "gd_seconds": run.seconds,
        "seconds": time.perf_counter() - t_start,
    }

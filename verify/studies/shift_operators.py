"""Shift-operator study: convergence rate of the linear GNN vs graph density and shift operator.

Seed 004 (arXiv 2501.14440) reports that with unnormalised shift operators (A, D − A) the
convergence speed is sensitive to the sparsity of the graph, while the normalised ones are
consistent (but can be slower).  This study measures it
(``verify experiment shift-operators`` runs it; ``benchmarks/shift_operators.py`` times it).

Setting (every value is printed in the JSON): Erdős–Rényi graphs G(n, p) over a grid of p from
very sparse to dense, and two-block stochastic block models over (p_in, p_out); for every graph
the four operators S ∈ {A, D − A, D^{−1/2}AD^{−1/2}, I − D^{−1/2}AD^{−1/2}} (isolated nodes:
D^{−1/2} = 0 there); features X (m_x × n) and targets Y (m_y × |I|) Gaussian, a random training
set I; the chain model Ŷ = W_3W_2W_1 Z, Z = (X S^H)_I, H = 2, L = κ||Ŷ − Y||², κ = 1; start
W_1(0) = 0 and W_2(0), W_3(0) ~ N(0, 1/fan_in) (the same for every graph: the weight factor of
the theory is constant across the grid).

Training: gradient descent with the batched torch runner (one configuration per initialisation
seed), K steps at η = 1/λ_max(∇²L(θ_0)) (divided by 4 until no configuration diverges).
Measured: the excess loss E_k = κ||Ŷ_k − YΠ||² and its exponential rate per step (least-squares
slope of log E_k over the steps with E_k above 1e-18·E_0, first tenth dropped) and per unit time
(per step / η, the quantity Theorem 3.1 bounds); the theoretical rate
(κ/4^{H−1}) σ²_small(Z) Π_{ℓ≥2} σ²_min(W_ℓ(0)).

Verdict: an operator is "sensitive to sparsity" when its median per-time rate varies by at least a
factor 10 over the ER grid (log10 range ≥ 1); the seed's claim reproduces when both unnormalised
operators are sensitive and both normalised ones vary at least 10x less (log10 range smaller by
≥ 1).  The per-step rate (what a fixed step budget at a stable η sees) is reported too.
"""
from __future__ import annotations

import math
import time
from typing import Callable

import numpy as np

from ..device import resolve_device, torch_threads
from ..dynamics import models
from ..dynamics.gap import sharpness
from ..dynamics.gd import run_gd_batched
from ..errors import InputError
from ..graphs.random_graphs import OPERATORS, degrees, erdos_renyi, shift_operator, stochastic_block_model

NAME = "shift-operators"

OP_LABELS = {"adjacency": "A", "laplacian": "D − A", "normalized_adjacency": "D^-1/2 A D^-1/2",
             "normalized_laplacian": "I − D^-1/2 A D^-1/2"}

FULL = {"n": 300, "m_x": 8, "hidden": [8, 4], "m_y": 1, "n_train": 150, "H": 2, "kappa": 1.0,
         "er_p": [0.003, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.7],
         "sbm_p_in": [0.05, 0.3], "sbm_p_out": [0.001, 0.01, 0.05], "graph_seeds": 2, "init_seeds": 2,
         "steps": 1000}
QUICK = {"n": 120, "m_x": 6, "hidden": [6, 4], "m_y": 1, "n_train": 60, "H": 2, "kappa": 1.0,
          "er_p": [0.008, 0.05, 0.6], "sbm_p_in": [0.3], "sbm_p_out": [0.005, 0.1], "graph_seeds": 1,
          "init_seeds": 2, "steps": 300}
FLOOR = 1e-18
MAX_RETRIES = 6


def settings(*, quick: bool = False, seed: int = 0, steps: int | None = None, device: str = "auto") -> dict:
    """The study's settings: the full or quick grid, base seed, GD steps, device (``cpu | cuda | auto``).

    InputError for a seed outside [0, 2^31) or steps outside [20, 100000]."""
    base = dict(QUICK if quick else FULL)
    if not isinstance(seed, int) or seed < 0 or seed >= 2 ** 31:
        raise InputError(f"--seed must be an integer in [0, 2^31) (got {seed})")
    if steps is not None:
        if not 20 <= steps <= 100000:
            raise InputError(f"--steps must be between 20 and 100000 (got {steps})")
        base["steps"] = steps
    base["device"] = resolve_device(device)
    base["seed"] = seed
    base["grid"] = "quick" if quick else "full"
    return base


def graph_list(st: dict) -> list[dict]:
    """Every graph setting with its own seed (so each run can be regenerated on its own)."""
    out = []
    for rep in range(st["graph_seeds"]):
        for i, p in enumerate(st["er_p"]):
            out.append(
                {"family": "er", "p": p, "rep": rep, "graph_seed": st["seed"] * 100000 + rep * 1000 + i}
            )
        j = 0
        for p_in in st["sbm_p_in"]:
            for p_out in st["sbm_p_out"]:
                if p_out > p_in:
                    continue
                out.append({"family": "sbm", "p_in": p_in, "p_out": p_out, "rep": rep,
                            "p": (p_in + p_out) / 2,
                            "graph_seed": st["seed"] * 100000 + rep * 1000 + 500 + j})
                j += 1
    return out


def problem_data(st: dict, rep: int):
    rng = np.random.default_rng(st["seed"] * 7919 + rep)
    X = rng.standard_normal((st["m_x"], st["n"]))
    train = tuple(sorted(int(i) for i in rng.choice(st["n"], size=st["n_train"], replace=False)))
    Y = rng.standard_normal((st["m_y"], st["n_train"]))
    return X, train, Y


def fit_rate_per_step(E: np.ndarray) -> float:
    """−slope of log E_k against k over the steps with E_k > FLOOR·E_0 (first tenth dropped)."""
    E = np.asarray(E, float)
    ok = np.nonzero(np.isfinite(E) & (E > FLOOR * E[0]))[0]
    if len(ok) and ok[-1] + 1 < len(E):           # the first step below the floor ends the fit window
        ok = ok[ok <= ok[-1]]
    ok = ok[len(ok) // 10:]
    if len(ok) < 3:
        ok = np.arange(min(3, len(E)))
    return float(-np.polyfit(ok.astype(float), np.log(E[ok]), 1)[0])


def _one_run(st: dict, g: dict, op: str, X, train, Y, A) -> dict:
    S = shift_operator(A, op)
    widths = tuple([st["m_x"]] + list(st["hidden"]) + [st["m_y"]])
    inst = models.GNNInstance(X=X, S=S, H=st["H"], train=train, Y=Y, widths=widths, kappa=st["kappa"],
                         seed=g["graph_seed"])
    Z = np.asarray(inst.G, float)
    sv = np.linalg.svd(Z, compute_uv=False)
    sig_small = float(models.sigma_small(Z))
    seeds = list(range(st["init_seeds"]))
    W0s = [models.init_weights(inst, s, zero_first=True) for s in seeds]
    lam0 = max(sharpness(inst, W) for W in W0s)
    eta = 1.0 / lam0
    K = st["steps"]
    for retry in range(MAX_RETRIES):
        run = run_gd_batched(inst, [eta] * len(seeds), K * eta, seeds=seeds, zero_first=True, trace=True,
                             device=st["device"])
        E = run.traces["excess"]
        final = E[:, -1]
        if np.all(np.isfinite(final)) and np.all(final <= E[:, 0]):
            break
        eta /= 4
    else:
        raise ArithmeticError(f"GD diverged for every step size tried ({op}, graph seed {g['graph_seed']})")
    per_step = [fit_rate_per_step(E[c]) for c in range(len(seeds))]
    theory = []
    for W in W0s:
        prod = float(np.prod([np.linalg.svd(w, compute_uv=False)[-1] ** 2 for w in W[1:]]))
        theory.append(st["kappa"] / 4 ** (st["H"] - 1) * sig_small ** 2 * prod)
    per_time = [r / eta for r in per_step]
    return {
        "operator": op,
        "eta": eta,
        "retries": retry,
        "lambda_max_0": lam0,
        "steps": K,
        "sigma_max_Z": float(sv[0]),
        "sigma_small_Z": sig_small,
        "rank_Z": int(np.sum(sv > 1e-10 * sv[0])),
        "excess_0": [float(x) for x in E[:, 0]],
        "excess_K": [float(x) for x in E[:, -1]],
        "rate_per_step": per_step,
        "rate_per_time": per_time,
        "theory_rate_per_time": theory,
        "observed_over_theory": [a / b if b > 0 else float("inf") for a, b in zip(per_time, theory)],
        "device": run.device,
    }


def compute(st: dict, progress: Callable[[str], None] | None = None) -> dict:
    """Run the grid of ``st`` (see :func:`settings`) and summarise it (JSON-friendly dict).

    On CPU torch runs on ``VERIFY_TORCH_THREADS`` threads (default 1) meanwhile: the matrices are
    tiny (measured 4x faster than the default thread pool on a loaded 2-core machine)."""
    with torch_threads(st["device"]):
        return _compute(st, progress)


def _compute(st: dict, progress=None) -> dict:
    t0 = time.perf_counter()
    graphs = graph_list(st)
    runs = []
    total = len(graphs) * len(OPERATORS)
    done = 0
    for g in graphs:
        X, train, Y = problem_data(st, g["rep"])
        rng = np.random.default_rng(g["graph_seed"])
        if g["family"] == "er":
            A = erdos_renyi(st["n"], g["p"], rng)
        else:
            half = st["n"] // 2
            A = stochastic_block_model([half, st["n"] - half], g["p_in"], g["p_out"], rng)
        d = degrees(A)
        ginfo = dict(
            g, edges=int(A.sum() // 2), mean_degree=float(d.mean()), isolated_nodes=int(np.sum(d == 0))
        )
        for op in OPERATORS:
            r = _one_run(st, g, op, X, train, Y, A)
            runs.append(dict(ginfo, **r))
            done += 1
            if progress:
                progress(
                    f"shift-operators: {done}/{total} {g['family']} p={g['p']:.4g} rep {g['rep']} {op}: "
                    f"rate/time {np.median(r['rate_per_time']):.3g}, per step "
                    f"{np.median(r['rate_per_step']):.3g}"
                )
    summary = summarise(st, runs)
    return {
        "experiment": NAME,
        "settings": {k: st[k] for k in sorted(st)},
        "runs": runs,
        "summary": summary,
        "reproduce": f"verify experiment shift-operators --seed {st['seed']}"
        + (" --quick" if st["grid"] == "quick" else "")
        + f" --steps {st['steps']} --device {st['device']}",
        "seconds": round(time.perf_counter() - t0, 2),
    }


def _median(sel: list[dict], key: str) -> float:
    """Median of ``key`` over runs, each holding one value or one value per initialisation seed."""
    vals = [x for r in sel for x in (r[key] if isinstance(r[key], list) else [r[key]])]
    return float(np.median(vals))


def _log10_range(values: list[float]) -> float:
    """log10(max/min) over the positive values (0 with fewer than two)."""
    v = [x for x in values if x > 0]
    return float(math.log10(max(v) / min(v))) if len(v) >= 2 else 0.0


def _er_rows(st: dict, runs: list[dict], op: str) -> list[dict]:
    """Medians over graph and initialisation seeds at every ER edge probability p."""
    rows = []
    for p in st["er_p"]:
        sel = [r for r in runs if r["family"] == "er" and r["p"] == p and r["operator"] == op]
        if sel:
            rows.append({"p": p, **{k: _median(sel, k) for k in (
                "rate_per_time", "rate_per_step", "theory_rate_per_time", "observed_over_theory",
                "sigma_small_Z", "mean_degree")}})
    return rows


def _operator_summary(st: dict, runs: list[dict], op: str) -> dict:
    rows = _er_rows(st, runs, op)
    sbm = [{"p_in": r["p_in"], "p_out": r["p_out"], "rep": r["rep"],
            "rate_per_time": float(np.median(r["rate_per_time"])),
            "rate_per_step": float(np.median(r["rate_per_step"]))}
           for r in runs if r["family"] == "sbm" and r["operator"] == op]
    sbm_rates = [s["rate_per_time"] for s in sbm]
    sbm_range = float(math.log10(max(sbm_rates) / min(sbm_rates))) if len(sbm) >= 2 else 0.0
    return {"er": rows,
            "log10_range_rate_per_time": _log10_range([r["rate_per_time"] for r in rows]),
            "log10_range_rate_per_step": _log10_range([r["rate_per_step"] for r in rows]),
            "log10_range_theory": _log10_range([r["theory_rate_per_time"] for r in rows]),
            "sbm": sbm, "sbm_log10_range_rate_per_time": sbm_range}


def _verdict(per_op: dict) -> dict:
    """The seed's claim reproduces when A and D − A vary by >= 10x over the ER grid and the
    normalised Laplacian varies at least 10x less."""
    un = [per_op["adjacency"]["log10_range_rate_per_time"], per_op["laplacian"]["log10_range_rate_per_time"]]
    nl = per_op["normalized_laplacian"]["log10_range_rate_per_time"]
    na = per_op["normalized_adjacency"]["log10_range_rate_per_time"]
    sensitive = min(un) >= 1.0
    consistent = nl <= min(un) - 1.0
    dense = {o: per_op[o]["er"][-1]["rate_per_time"] for o in per_op}
    return {
        "claim": "seed 004: unnormalised operators (A, D − A) are sensitive to sparsity; the normalised "
                 "Laplacian is consistent (but can be slower)",
        "criterion": "per-time rate of L − L*: log10 range over the ER grid >= 1 for A and for D − A, and "
                     "the normalised Laplacian's range <= the smaller of those minus 1",
        "log10_range_per_time": {o: per_op[o]["log10_range_rate_per_time"] for o in per_op},
        "log10_range_per_step": {o: per_op[o]["log10_range_rate_per_step"] for o in per_op},
        "unnormalised_sensitive": sensitive,
        "normalized_laplacian_consistent": consistent,
        "reproduces": bool(sensitive and consistent),
        "normalized_adjacency_consistent": bool(na <= min(un) - 1.0),
        "normalized_laplacian_slower_per_time_at_densest_p": bool(
            dense["normalized_laplacian"] < min(dense["adjacency"], dense["laplacian"])),
    }


def summarise(st: dict, runs: list[dict]) -> dict:
    """Per operator: median rates per ER p (over graph and init seeds), log10 ranges over p, verdict."""
    per_op = {op: _operator_summary(st, runs, op) for op in OPERATORS}
    return {"operators": per_op, "verdict": _verdict(per_op)}

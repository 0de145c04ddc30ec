"""Graph classification with a precomputed kernel, as the official GNTK code does it, plus nested CV.

Official protocol (KangchengHou/gntk search.py): Gram divided by its smallest entry (``normalise=
"min"``; the script also tries the cosine-normalised Gram, ``"cosine"``), SVC with a
precomputed kernel, C over ``np.logspace(-2, 4, 120)``, 10-fold cross-validation, and C chosen
as the one with the best *mean test-fold accuracy*; the reported figure is that mean ± the std
over folds.  Choosing C (and the architecture) on the test folds is optimistic: the selection
sees the test data.  ``nested`` CV chooses C (and, in ``classify_grid``, the kernel) by an inner
stratified CV on each outer training part only and tests once on the outer fold: an unbiased
estimate of the whole procedure.

Folds: ``StratifiedKFold(folds, shuffle=True, random_state=seed)`` (the GIN repository's fixed
split files are not available here); the seed is recorded in the output.  Accuracies in percent;
std is the population std over the outer folds (np.std), as in the GIN/GNTK tables.
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import SVC

from ..errors import InputError

C_GRID = np.logspace(-2, 4, 120)

#: Du et al. 2019, Table 1 (GNTK, 10-fold CV accuracy, percent)
PAPER = {"MUTAG": (90.0, 8.5), "PROTEINS": (75.6, 4.2)}


NORMALISATIONS = ("min", "cosine")


def _prepare(gram: np.ndarray, labels, normalise: str = "min") -> tuple[np.ndarray, np.ndarray]:
    gram = np.asarray(gram, dtype=np.float64)
    y = np.asarray(labels)
    if gram.ndim != 2 or gram.shape[0] != gram.shape[1] or gram.shape[0] != len(y):
        raise InputError(f"Gram of shape {gram.shape} does not match {len(y)} labels")
    if not np.all(np.isfinite(gram)):
        raise InputError("Gram matrix has non-finite entries")
    if normalise not in NORMALISATIONS:
        raise InputError(f"unknown normalisation {normalise!r} (use one of {', '.join(NORMALISATIONS)})")
    if normalise == "cosine":
        d = np.diag(gram)
        if np.any(d <= 0):
            raise InputError("Gram matrix has a non-positive diagonal entry: cosine normalisation needs > 0")
        r = np.sqrt(d)
        return gram / r[:, None] / r[None, :], y
    mn = gram.min()
    if mn <= 0:
        raise InputError(
            "Gram matrix has a non-positive entry: the official normalisation gram / gram.min() needs > 0"
        )
    return gram / mn, y


def _fold_scores(gram, y, train, test, c_grid) -> np.ndarray:
    """Test accuracy (fraction) for every C on one split."""
    ktr = gram[np.ix_(train, train)]
    kte = gram[np.ix_(test, train)]
    out = np.empty(len(c_grid))
    for k, c in enumerate(c_grid):
        clf = SVC(kernel="precomputed", C=float(c), max_iter=500000)
        with warnings.catch_warnings():
            # the official max_iter = 5e5 cap is reached at large C on unnormalised Grams; the fit
            # is then used as it is, as in the official search (sklearn only warns)
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(ktr, y[train])
        out[k] = np.mean(clf.predict(kte) == y[test])
    return out


def _fold_task(mats, y, ki, train, test, c_grid):
    return _fold_scores(mats[ki], y, train, test, c_grid)


def _inner_task(mats, y, ki, train, isplits, c_grid):
    gtr = mats[ki][np.ix_(train, train)]
    return np.mean([_fold_scores(gtr, y[train], itr, ite, c_grid) for itr, ite in isplits], axis=0)


_NORMALISATION_NOTE = {"min": "gram / gram.min()", "cosine": "cosine: K_ij / sqrt(K_ii K_jj)"}


def _check_classes(y: np.ndarray, folds: int) -> None:
    """Stratified ``folds``-fold CV needs at least two classes, each with at least ``folds`` examples."""
    classes, counts = np.unique(y, return_counts=True)
    if len(classes) < 2 or counts.min() < folds:
        raise InputError(
            f"need >= 2 classes with >= {folds} examples each for {folds}-fold CV, got "
            f"{dict(zip(classes.tolist(), counts.tolist()))}"
        )


def _run_cv_tasks(mats, y, splits, inner_splits, nk: int, c_grid, nc, engine, say) -> tuple[list, list]:
    """The SVC fits: per (outer fold, kernel), the test accuracy per C of c_grid (official style) and
    the inner-CV mean accuracy per C of nc on the outer training part (nested), both flat in the order
    fold-major, kernel-minor. In this process (engine None) fold by fold with progress per fold."""
    from .parallel import run_tasks

    nf = len(splits)
    outer = [(ki, splits[fi][0], splits[fi][1], c_grid) for fi in range(nf) for ki in range(nk)]
    # nested: inner CV on each outer training part chooses (kernel, C); one task per (outer fold, kernel)
    inner = [(ki, splits[fi][0], inner_splits[fi], nc) for fi in range(nf) for ki in range(nk)]
    if engine is None:   # in this process, fold by fold (progress per outer fold)
        flat, inner_means = [], []
        for fi in range(nf):
            say(f"classify: C grid on outer fold {fi + 1}/{nf}")
            flat += run_tasks(_fold_task, outer[fi * nk:(fi + 1) * nk], None, shared=(mats, y))
        for fi in range(nf):
            say(f"classify: nested CV, outer fold {fi + 1}/{nf}")
            inner_means += run_tasks(_inner_task, inner[fi * nk:(fi + 1) * nk], None, shared=(mats, y))
        return flat, inner_means
    say(f"classify: C grid, {len(outer)} (outer fold, kernel) tasks")
    flat = run_tasks(_fold_task, outer, engine, shared=(mats, y))
    say(f"classify: nested CV, {len(inner)} (outer fold, kernel) tasks")
    inner_means = run_tasks(_inner_task, inner, engine, shared=(mats, y))
    return flat, inner_means


def _nested_accuracies(prepared, y, splits, keys, inner_means, nc) -> tuple[np.ndarray, list[dict]]:
    """Nested CV: per outer fold, the (kernel, C) with the best inner mean (first kernel, first C on
    ties) refitted on the training part; its test accuracy (percent) and the choice."""
    nested, chosen = [], []
    for fi, (tr, te) in enumerate(splits):
        best_inner = None
        for ki, k in enumerate(keys):
            m = inner_means[fi * len(keys) + ki]
            ci = int(np.argmax(m))
            if best_inner is None or m[ci] > best_inner[0]:
                best_inner = (m[ci], k, ci)
        _, k, ci = best_inner
        nested.append(_fold_scores(prepared[k][0], y, tr, te, nc[ci:ci + 1])[0] * 100)
        chosen.append({"kernel": k, "C": float(nc[ci])})
    return np.array(nested), chosen


def classify_grid(grams: Mapping[str, np.ndarray], labels, seed: int = 0, folds: int = 10,
                  c_grid=C_GRID, inner_folds: int = 5, nested_c_grid=None, normalise: str = "min",
                  progress=None, engine=None) -> dict[str, Any]:
    """Official-style selection over (kernel, C) by mean test accuracy, and nested CV.

    ``normalise``: "min" (gram / gram.min()) or "cosine", or a mapping kernel name -> one of them
    (the official search tries both variants of every Gram).

    ``engine``: where the SVC fits run (None = this process, or a spec/engine of
    :mod:`verify.kernels.parallel`: one task per (kernel, fold) and per (outer fold, kernel) of the
    nested CV; the result does not depend on it).

    Returns percentages: ``accuracy_mean``/``accuracy_std`` with the selected ``kernel`` and ``C``,
    ``nested_accuracy_mean``/``nested_accuracy_std`` and the inner choices per outer fold.
    ``progress`` (optional) receives "classify: ..." messages.
    """
    say = progress or (lambda _m: None)
    if not grams:
        raise InputError("no Gram matrices to classify with")
    c_grid = np.asarray(c_grid, dtype=np.float64)
    nc = np.asarray(nested_c_grid if nested_c_grid is not None else c_grid, dtype=np.float64)
    norm_of = (lambda k: normalise[k]) if isinstance(normalise, Mapping) else (lambda k: normalise)
    prepared = {k: _prepare(g, labels, norm_of(k)) for k, g in grams.items()}
    y = next(iter(prepared.values()))[1]
    _check_classes(y, folds)
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    splits = list(skf.split(np.zeros(len(y)), y))
    keys = list(prepared)
    mats = [prepared[k][0] for k in keys]
    # official style: scores[kernel][fold, C]; one task per (kernel, fold), run on ``engine``
    inner_splits = []
    for fi, (tr, _) in enumerate(splits):
        inner = StratifiedKFold(n_splits=inner_folds, shuffle=True, random_state=seed + 1 + fi)
        inner_splits.append(list(inner.split(np.zeros(len(tr)), y[tr])))
    nf, nk = len(splits), len(keys)
    flat, inner_means = _run_cv_tasks(mats, y, splits, inner_splits, nk, c_grid, nc, engine, say)
    scores = {k: np.array([flat[fi * nk + ki] for fi in range(nf)]) for ki, k in enumerate(keys)}
    best = max(((k, ci) for k in scores for ci in range(len(c_grid))),
               key=lambda kc: (scores[kc[0]][:, kc[1]].mean(), -kc[1]))
    acc = scores[best[0]][:, best[1]] * 100
    nested, chosen = _nested_accuracies(prepared, y, splits, keys, inner_means, nc)
    normalisation = (
        {k: _NORMALISATION_NOTE[norm_of(k)] for k in grams} if isinstance(normalise, Mapping)
        else _NORMALISATION_NOTE[normalise]
    )
    return _grid_result(acc, best, c_grid, nested, chosen, nc, normalisation, seed, folds, inner_folds)


def _grid_result(acc, best, c_grid, nested, chosen, nc, normalisation, seed, folds, inner_folds) -> dict:
    """The JSON-ready result of :func:`classify_grid` (accuracies in percent)."""
    return {
        "accuracy_mean": float(acc.mean()),
        "accuracy_std": float(acc.std()),
        "kernel": best[0],
        "C": float(c_grid[best[1]]),
        "fold_accuracies": acc.tolist(),
        "nested_accuracy_mean": float(nested.mean()),
        "nested_accuracy_std": float(nested.std()),
        "nested_fold_accuracies": nested.tolist(),
        "nested_choices": chosen,
        "seed": int(seed),
        "folds": int(folds),
        "inner_folds": int(inner_folds),
        "c_grid": {
            "start": float(c_grid[0]),
            "stop": float(c_grid[-1]),
            "num": len(c_grid),
            "spacing": "log",
        },
        "nested_c_grid": {"start": float(nc[0]), "stop": float(nc[-1]), "num": len(nc), "spacing": "log"},
        "units": "percent",
        "normalisation": normalisation,
        "selection_note": (
            "accuracy_mean: C (and kernel) chosen by the mean accuracy over the test folds, "
            "as the official GNTK code does - optimistic, the test folds take part in the "
            "selection; nested_accuracy_mean: chosen by inner CV on training folds only"
        ),
    }


def classify(gram: np.ndarray, labels, seed: int = 0, folds: int = 10, c_grid=C_GRID,
             inner_folds: int = 5, nested_c_grid=None, normalise: str = "min",
             progress=None, engine=None) -> dict[str, Any]:
    """``classify_grid`` with one kernel."""
    res = classify_grid({"gntk": gram}, labels, seed, folds, c_grid, inner_folds, nested_c_grid, normalise,
                        progress=progress, engine=engine)
    res.pop("kernel")
    for ch in res["nested_choices"]:
        ch.pop("kernel")
    return res

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


def _svc_params(c: float) -> dict:
    """The libsvm parameters ``SVC(kernel="precomputed", C=c, max_iter=500000)`` passes (read from an
    SVC instance, so they follow the installed scikit-learn)."""
    svc = SVC(kernel="precomputed", C=float(c), max_iter=500000)
    return {"svm_type": 0, "kernel": "precomputed", "C": float(svc.C), "nu": svc.nu, "degree": svc.degree,
            "shrinking": svc.shrinking, "tol": svc.tol, "cache_size": svc.cache_size, "coef0": svc.coef0,
            "gamma": 0.0, "epsilon": svc.epsilon, "max_iter": svc.max_iter}


def _libsvm():
    """scikit-learn's libsvm binding (the module SVC calls), or None when it cannot be imported."""
    try:
        from sklearn.svm import _libsvm as libsvm
    except ImportError:      # pragma: no cover - present in every scikit-learn with SVC
        return None
    return libsvm


#: svc_accuracies calls libsvm directly (True) or through SVC (False); benchmarks compare the two
DIRECT_LIBSVM = True


def svc_accuracies(ktr: np.ndarray, ytr: np.ndarray, kte: np.ndarray, yte: np.ndarray, c_grid,
                   direct: bool | None = None) -> np.ndarray:
    """Test accuracy (fraction) of ``SVC(kernel="precomputed", C, max_iter=500000)`` for every C.

    ``ktr`` (n_train x n_train) and ``kte`` (n_test x n_train) are kernel blocks.  ``direct``: call
    libsvm through scikit-learn's binding exactly as ``SVC.fit``/``SVC.predict`` do (the same
    arguments: classes encoded as sorted indices, empty sample and class weights), without their
    input validation, which is ~80 % of the time of a fit on a few hundred graphs; the predictions
    are those of SVC (tested).  ``direct=False`` uses SVC itself; None: ``DIRECT_LIBSVM``.  A fit
    that reaches the official max_iter cap (large C on an unnormalised Gram) is used as it is, as
    in the official search.
    """
    c_grid = np.asarray(c_grid, dtype=np.float64)
    out = np.empty(len(c_grid))
    libsvm = _libsvm() if (DIRECT_LIBSVM if direct is None else direct) else None
    if libsvm is None:
        for k, c in enumerate(c_grid):
            clf = SVC(kernel="precomputed", C=float(c), max_iter=500000)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                clf.fit(ktr, ytr)
            out[k] = np.mean(clf.predict(kte) == yte)
        return out
    classes, codes = np.unique(ytr, return_inverse=True)
    yf = np.ascontiguousarray(codes, dtype=np.float64)
    xtr = np.ascontiguousarray(ktr, dtype=np.float64)
    xte = np.ascontiguousarray(kte, dtype=np.float64)
    empty = np.empty(0, dtype=np.float64)
    libsvm.set_verbosity_wrap(0)
    for k, c in enumerate(c_grid):
        prm = _svc_params(c)
        (support, support_vectors, n_support, dual_coef, intercept, prob_a, prob_b, _status,
         _iters) = libsvm.fit(xtr, yf, sample_weight=empty, class_weight=empty, probability=False,
                              random_seed=0, **prm)
        pred = libsvm.predict(xte, support, support_vectors, n_support, dual_coef, intercept, prob_a, prob_b,
                              svm_type=0, kernel="precomputed", degree=prm["degree"], coef0=prm["coef0"],
                              gamma=0.0, cache_size=prm["cache_size"])
        out[k] = np.mean(classes[pred.astype(np.intp)] == yte)
    return out


class KernelHandle:
    """A prepared (normalised) kernel matrix for a CV task: in memory, or a Gram's ``.npy`` file plus
    its normalisation, loaded memory-mapped in the worker (worker processes then share the page
    cache instead of receiving copies).  ``block(rows, cols)`` is the prepared sub-block with the
    same bits either way (the normalisation is elementwise: K_ij / min K, or K_ij / √K_ii / √K_jj)."""

    def __init__(self, array: np.ndarray | None = None, path: str | None = None, normalise: str = "min",
                 scale: np.ndarray | float | None = None) -> None:
        self.array, self.path, self.normalise, self.scale = array, path, normalise, scale

    def block(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        if self.array is not None:
            return self.array[np.ix_(rows, cols)]
        raw = np.load(self.path, mmap_mode="r")[np.ix_(rows, cols)]
        if self.normalise == "cosine":
            r = self.scale
            return raw / r[rows][:, None] / r[cols][None, :]
        return raw / self.scale


def _fold_task(mats, y, ki, train, test, c_grid):
    """Test accuracy per C of kernel ``ki`` trained on ``train``, tested on ``test``."""
    h = mats[ki]
    return svc_accuracies(h.block(train, train), y[train], h.block(test, train), y[test], c_grid)


def _inner_task(mats, y, ki, train, isplits, c_grid):
    """Mean inner-CV accuracy per C of kernel ``ki`` on the outer training part ``train``."""
    return np.mean([_fold_task(mats, y, ki, train[itr], train[ite], c_grid) for itr, ite in isplits], axis=0)


def _fold_scores(gram, y, train, test, c_grid) -> np.ndarray:
    """Test accuracy (fraction) for every C on one split of a prepared Gram."""
    return svc_accuracies(gram[np.ix_(train, train)], y[train], gram[np.ix_(test, train)], y[test], c_grid)


_NORMALISATION_NOTE = {"min": "gram / gram.min()", "cosine": "cosine: K_ij / sqrt(K_ii K_jj)"}


def _check_classes(y: np.ndarray, folds: int) -> None:
    """Stratified ``folds``-fold CV needs at least two classes, each with at least ``folds`` examples."""
    classes, counts = np.unique(y, return_counts=True)
    if len(classes) < 2 or counts.min() < folds:
        raise InputError(
            f"need >= 2 classes with >= {folds} examples each for {folds}-fold CV, got "
            f"{dict(zip(classes.tolist(), counts.tolist()))}"
        )


def _task_key(kind: str, kernel_digest: str, y, train, test_or_splits, c_grid) -> str:
    from .cache import array_digest, digest

    if kind == "outer":
        parts = [np.asarray(train), np.asarray(test_or_splits)]
    else:
        parts = [np.asarray(train)] + [np.asarray(a) for pair in test_or_splits for a in pair]
    import sklearn

    return digest({"what": f"svc-cv-{kind}", "kernel": kernel_digest, "labels": array_digest(np.asarray(y)),
                   "splits": array_digest(*parts), "c": array_digest(np.asarray(c_grid, dtype=np.float64)),
                   "sklearn": sklearn.__version__, "max_iter": 500000})


def _cached_map(fn, tasks, keys, mats, y, engine, cache, say, what) -> list:
    """``fn(mats, y, *task)`` for every task, taking stored results from ``cache`` and storing new ones."""
    from .parallel import run_tasks

    out: list = [None] * len(tasks)
    todo = []
    for i, k in enumerate(keys):
        hit = cache.get("cv", k) if (cache is not None and k is not None) else None
        if hit is not None:
            out[i] = np.asarray(hit)
        else:
            todo.append(i)
    if len(todo) < len(tasks):
        say(f"classify: {what}: {len(tasks) - len(todo)} of {len(tasks)} tasks from the cache")
    if todo:
        res = run_tasks(fn, [tasks[i] for i in todo], engine, shared=(mats, y))
        for i, r in zip(todo, res):
            out[i] = r
            if cache is not None and keys[i] is not None:
                cache.put("cv", keys[i], np.asarray(r), {"what": what})
    return out


def _run_cv_tasks(mats, y, splits, inner_splits, nk: int, c_grid, nc, engine, say, keys=None,
                  cache=None) -> tuple[list, list]:
    """The SVC fits: per (outer fold, kernel), the test accuracy per C of c_grid (official style) and
    the inner-CV mean accuracy per C of nc on the outer training part (nested), both flat in the order
    fold-major, kernel-minor; ``keys`` (kernel digests) make them resumable through ``cache``.
    In this process (engine None) fold by fold with progress per fold."""
    nf = len(splits)
    outer = [(ki, splits[fi][0], splits[fi][1], c_grid) for fi in range(nf) for ki in range(nk)]
    # nested: inner CV on each outer training part chooses (kernel, C); one task per (outer fold, kernel)
    inner = [(ki, splits[fi][0], inner_splits[fi], nc) for fi in range(nf) for ki in range(nk)]
    okeys = [_task_key("outer", keys[t[0]], y, t[1], t[2], c_grid) if keys else None for t in outer]
    ikeys = [_task_key("inner", keys[t[0]], y, t[1], t[2], nc) if keys else None for t in inner]
    if engine is None:   # in this process, fold by fold (progress per outer fold)
        flat, inner_means = [], []
        for fi in range(nf):
            say(f"classify: C grid on outer fold {fi + 1}/{nf}")
            sl = slice(fi * nk, (fi + 1) * nk)
            flat += _cached_map(_fold_task, outer[sl], okeys[sl], mats, y, None, cache, say, "outer folds")
        for fi in range(nf):
            say(f"classify: nested CV, outer fold {fi + 1}/{nf}")
            sl = slice(fi * nk, (fi + 1) * nk)
            inner_means += _cached_map(_inner_task, inner[sl], ikeys[sl], mats, y, None, cache, say,
                                       "nested CV")
        return flat, inner_means
    say(f"classify: C grid, {len(outer)} (outer fold, kernel) tasks")
    flat = _cached_map(_fold_task, outer, okeys, mats, y, engine, cache, say, "outer folds")
    say(f"classify: nested CV, {len(inner)} (outer fold, kernel) tasks")
    inner_means = _cached_map(_inner_task, inner, ikeys, mats, y, engine, cache, say, "nested CV")
    return flat, inner_means


def _nested_accuracies(mats, y, splits, keys, inner_means, nc, c_grid,
                       scores) -> tuple[np.ndarray, list[dict]]:
    """Nested CV: per outer fold, the (kernel, C) with the best inner mean (first kernel, first C on
    ties) refitted on the training part; its test accuracy (percent) and the choice.  The refit is
    the official grid's fit of that (kernel, C, fold) when C is on ``c_grid`` (the same fit)."""
    nested, chosen = [], []
    for fi, (tr, te) in enumerate(splits):
        best_inner = None
        for ki, k in enumerate(keys):
            m = inner_means[fi * len(keys) + ki]
            ci = int(np.argmax(m))
            if best_inner is None or m[ci] > best_inner[0]:
                best_inner = (m[ci], ki, ci)
        _, ki, ci = best_inner
        same = np.nonzero(c_grid == nc[ci])[0]
        if len(same):
            acc = scores[keys[ki]][fi, same[0]]
        else:
            acc = _fold_task(mats, y, ki, tr, te, nc[ci:ci + 1])[0]
        nested.append(acc * 100)
        chosen.append({"kernel": keys[ki], "C": float(nc[ci])})
    return np.array(nested), chosen


def _handles(grams, prepared, norm_of, gram_files, engine) -> list[KernelHandle]:
    """Per kernel: in memory (this process, or a remote dask scheduler), or the Gram's file."""
    remote = getattr(engine, "name", "") == "dask" and getattr(engine, "cluster", 1) is None
    out = []
    for k, (mat, _) in prepared.items():
        path = (gram_files or {}).get(k)
        if engine is None or remote or path is None:
            out.append(KernelHandle(array=mat))
            continue
        g = grams[k]
        scale = np.sqrt(np.diag(g)) if norm_of(k) == "cosine" else g.min()
        out.append(KernelHandle(path=str(path), normalise=norm_of(k), scale=scale))
    return out


def classify_grid(grams: Mapping[str, np.ndarray], labels, seed: int = 0, folds: int = 10,
                  c_grid=C_GRID, inner_folds: int = 5, nested_c_grid=None, normalise: str = "min",
                  progress=None, engine=None, cache=None, gram_files: Mapping[str, str] | None = None
                  ) -> dict[str, Any]:
    """Official-style selection over (kernel, C) by mean test accuracy, and nested CV.

    ``normalise``: "min" (gram / gram.min()) or "cosine", or a mapping kernel name -> one of them
    (the official search tries both variants of every Gram).

    ``engine``: where the SVC fits run (None = this process, or a spec/engine of
    :mod:`verify.kernels.parallel`: one task per (outer fold, kernel) for the official grid and
    per (outer fold, kernel) of the nested CV; the result does not depend on it).  ``gram_files``
    (kernel name -> the Gram as .npy, e.g. its cache entry): worker processes read the matrix from
    there (memory-mapped) instead of receiving a copy.  ``cache`` (a
    :class:`verify.kernels.cache.Cache`): every task's scores are stored under a key of the prepared
    matrix, labels, splits and C grid, so an interrupted run resumes where it stopped.

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
    own = engine is not None and not hasattr(engine, "map")
    if own:
        from .parallel import engine as make_engine

        engine = make_engine(engine)
    try:
        return _classify(grams, prepared, norm_of, normalise, y, seed, folds, c_grid, nc, inner_folds, engine,
                         say, cache, gram_files)
    finally:
        if own:
            engine.close()


def _classify(grams, prepared, norm_of, normalise, y, seed, folds, c_grid, nc, inner_folds, engine, say,
              cache, gram_files) -> dict[str, Any]:
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    splits = list(skf.split(np.zeros(len(y)), y))
    keys = list(prepared)
    mats = _handles(grams, prepared, norm_of, gram_files, engine)
    digests = None
    if cache is not None:
        from .cache import array_digest

        digests = [array_digest(prepared[k][0]) for k in keys]
    inner_splits = []
    for fi, (tr, _) in enumerate(splits):
        inner = StratifiedKFold(n_splits=inner_folds, shuffle=True, random_state=seed + 1 + fi)
        inner_splits.append(list(inner.split(np.zeros(len(tr)), y[tr])))
    nf, nk = len(splits), len(keys)
    flat, inner_means = _run_cv_tasks(mats, y, splits, inner_splits, nk, c_grid, nc, engine, say, digests,
                                      cache)
    scores = {k: np.array([flat[fi * nk + ki] for fi in range(nf)]) for ki, k in enumerate(keys)}
    best = max(((k, ci) for k in scores for ci in range(len(c_grid))),
               key=lambda kc: (scores[kc[0]][:, kc[1]].mean(), -kc[1]))
    acc = scores[best[0]][:, best[1]] * 100
    nested, chosen = _nested_accuracies(mats, y, splits, keys, inner_means, nc, c_grid, scores)
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

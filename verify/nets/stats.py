"""Small statistics used by the width studies: mean with a t confidence interval, log-log slope."""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from scipy import stats


def mean_ci(samples: Sequence[float], level: float = 0.95) -> tuple[float, float]:
    """(mean, half-width of the two-sided Student-t confidence interval); half-width 0 for one sample."""
    arr = np.asarray(samples, dtype=float)
    mean = float(arr.mean())
    if arr.size < 2:
        return mean, 0.0
    sem = float(arr.std(ddof=1) / math.sqrt(arr.size))
    return mean, float(stats.t.ppf(0.5 + level / 2, arr.size - 1) * sem)


def loglog_slope(xs: Sequence[float], ys: Sequence[float]) -> dict[str, float]:
    """Least-squares fit log y = a + s log x: slope s, its standard error, intercept a, r².

    Every x and y must be positive; with two points the standard error is reported as 0.
    """
    xa, ya = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    if xa.size < 2 or xa.shape != ya.shape or not (np.all(xa > 0) and np.all(ya > 0)) \
            or not (np.all(np.isfinite(xa)) and np.all(np.isfinite(ya))):
        raise ValueError("a log-log fit needs at least two positive, finite points")
    x, y = np.log(xa), np.log(ya)
    res = stats.linregress(x, y)
    stderr = float(res.stderr) if x.size > 2 else 0.0
    return {"slope": float(res.slope), "slope_stderr": stderr, "intercept": float(res.intercept),
            "r2": float(res.rvalue ** 2)}

"""SVM classification with a precomputed Gram: official-style selection and nested CV."""
import numpy as np
import pytest

from verify.errors import InputError
from verify.kernels.classify import classify, classify_grid


def _data(seed=0, n=60):
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1], n // 2)
    x = rng.normal(size=(n, 3)) + 3.0 * y[:, None]
    return x, y


def test_separable_data_is_classified_perfectly():
    x, y = _data()
    gram = (x @ x.T + 20.0) ** 2          # positive entries (official normalisation divides by the min)
    res = classify(gram, y, seed=0, folds=5, c_grid=np.logspace(-2, 4, 6), inner_folds=3)
    assert res["accuracy_mean"] == 100.0 and res["nested_accuracy_mean"] == 100.0
    assert len(res["fold_accuracies"]) == 5 and res["seed"] == 0


def test_random_labels_are_near_chance_in_nested_cv():
    x, _ = _data(1, 80)
    y = np.random.default_rng(5).permutation(np.repeat([0, 1], 40))
    gram = np.exp(-0.5 * np.sum((x[:, None] - x[None]) ** 2, axis=2)) + 1.0
    res = classify_grid({"rbf": gram}, y, seed=2, folds=5, c_grid=np.logspace(-2, 4, 8), inner_folds=3)
    # selection on the test folds can only be at least as good as the nested estimate on average
    assert res["nested_accuracy_mean"] < 75.0
    assert res["accuracy_mean"] >= 40.0


def test_bad_gram():
    _, y = _data()
    with pytest.raises(InputError):
        classify(np.ones((3, 3)), y)
    with pytest.raises(InputError):
        classify(-np.ones((60, 60)), y)
    with pytest.raises(InputError):
        classify(np.ones((60, 60)), np.zeros(60))


def test_joblib_engine_gives_the_same_result():
    x, y = _data(3, 50)
    gram = (x @ x.T + 20.0) ** 2
    kw = {"seed": 1, "folds": 5, "c_grid": np.logspace(-2, 4, 5), "inner_folds": 3}
    assert classify(gram, y, **kw) == classify(gram, y, engine="joblib:2", **kw)


def test_direct_libsvm_fits_predict_as_svc():
    """svc_accuracies calls libsvm as SVC does: the same accuracy for every C, binary and 3 classes,
    including fits stopped by the max_iter cap (large C on a badly scaled Gram)."""
    from verify.kernels.classify import svc_accuracies

    rng = np.random.default_rng(3)
    x = rng.normal(size=(90, 4))
    for y in (np.repeat([0, 1], 45), np.repeat([5, 7, 9], 30)):
        xs = x + 0.8 * y[:, None] / y.max()
        for gram in ((xs @ xs.T + 3.0) ** 2, np.exp(-np.sum((xs[:, None] - xs[None]) ** 2, axis=2))):
            tr, te = np.arange(0, 90, 3), np.setdiff1d(np.arange(90), np.arange(0, 90, 3))
            c = np.logspace(-2, 4, 9)
            args = (gram[np.ix_(tr, tr)], y[tr], gram[np.ix_(te, tr)], y[te], c)
            a, b = svc_accuracies(*args), svc_accuracies(*args, direct=False)
            assert np.array_equal(a, b) and 0.3 < a.max() <= 1.0


def test_cv_in_worker_processes_from_gram_files_equals_this_process(tmp_path):
    from verify.kernels.classify import classify_grid

    x, y = _data(2, 60)
    grams = {"poly": (x @ x.T + 20.0) ** 2, "rbf": np.exp(-0.1 * np.sum((x[:, None] - x[None]) ** 2, axis=2))}
    files = {}
    for k, g in grams.items():
        files[k] = str(tmp_path / f"{k}.npy")
        np.save(files[k], g)
    norm = {"poly": "min", "rbf": "cosine"}
    kw = dict(seed=1, folds=5, c_grid=np.logspace(-2, 4, 5), inner_folds=3, normalise=norm)
    here = classify_grid(grams, y, **kw)
    there = classify_grid(grams, y, engine="joblib:2", gram_files=files, **kw)
    assert here == there

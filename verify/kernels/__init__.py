"""Analytic kernels: Gaussian expectations of activations, NNGP/NTK of fully connected nets, GNTK.

Modules (one job each):

* :mod:`verify.kernels.gaussian` - E[f(u) g(v)] for (u, v) ~ N(0, [[a, c], [c, b]]): ReLU/step
  arc-cosine closed forms with stable angles, erf, and a generic engine (Gauss-Hermite float64,
  mpmath quadrature at any precision) for activations written as expressions in ``z``;
* :mod:`verify.kernels.ntk` - NNGP and NTK Gram matrices, conventions ``jacot`` and ``arora``;
* :mod:`verify.kernels.gntk` - the graph NTK of Du et al. 2019 (graph and node level), batched;
* :mod:`verify.kernels.gntk_reference` - the per-pair implementation following the official code;
* :mod:`verify.kernels.classify` - SVM classification with a precomputed Gram (the GNTK table);
* :mod:`verify.kernels.parallel` - engines for independent tasks (serial, joblib, dask.distributed);
* :mod:`verify.kernels.backends` - the torch float64 backend of the GNTK (CUDA when present).
"""

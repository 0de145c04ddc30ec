"""Studies: measurements that are not proof steps, each ``compute(settings) -> dict`` (JSON-friendly).

* :mod:`verify.studies.width` — empirical NTK of finite nets against the analytic kernel over widths;
* :mod:`verify.studies.lazy_training` — wide nets trained by GD against kernel GD;
* :mod:`verify.studies.gntk_equivalence` — a trained wide GNN against iterative GNTK regression;
* :mod:`verify.studies.gd_gap` — gradient descent against gradient flow on the linear GNN;
* :mod:`verify.studies.shift_operators` — convergence rate against graph density and shift operator;
* :mod:`verify.studies.gntk_table` — the GNTK classification table of Du et al. 2019 (``verify gntk table``).

They sit above graphs/kernels/nets/dynamics and below report and cli: the CLI parses arguments,
calls a study and prints its result; benchmarks and proofs call the studies directly.
"""

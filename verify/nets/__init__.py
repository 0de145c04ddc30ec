"""Finite-width networks (torch, float64, CUDA when present).

The studies that use them are in :mod:`verify.studies`.

* :mod:`verify.nets.fc`: fully connected nets, ``jacot`` (1/√n, bias β) and ``arora`` (c_σ, no bias);
* :mod:`verify.nets.gnn`: the Du et al. (2019) GNN, graph-level (sum/jk readout) and node-level, and its
  analytic kernel (:func:`verify.nets.gnn.gnn_kernel`);
* :mod:`verify.nets.tensors`: float64 tensors and seeded generators (devices: :mod:`verify.device`);
* :mod:`verify.nets.entk`: empirical NTK with ``torch.func.jacrev``; the antisymmetric doubled model;
* :mod:`verify.nets.train`: full-batch GD on the squared loss with a regulariser centred at θ₀;
* :mod:`verify.nets.kernel_regression`: continuous/discrete kernel predictions (normalisation named);
* :mod:`verify.nets.iterative`: iterative GNTK regression of arXiv 2309.07452;
* :mod:`verify.nets.stats`: mean ± t-interval, log-log slope fits.
"""
from __future__ import annotations

from .entk import doubled, doubled_params, empirical_ntk, empirical_ntk_loop
from .fc import FCSpec, fc_forward, init_fc
from .gnn import GNNSpec, GraphBatch, batch_graphs, gnn_forward, init_gnn
from .iterative import iterative_gntk_regression, kernel_ridge
from .kernel_regression import NORMALISATIONS, kernel_flow, kernel_gd, loss_scale
from .stats import loglog_slope, mean_ci
from .train import Trajectory, train_gd

__all__ = [
    "FCSpec",
    "GNNSpec",
    "GraphBatch",
    "NORMALISATIONS",
    "Trajectory",
    "batch_graphs",
    "doubled",
    "doubled_params",
    "empirical_ntk",
    "empirical_ntk_loop",
    "fc_forward",
    "gnn_forward",
    "init_fc",
    "init_gnn",
    "iterative_gntk_regression",
    "kernel_flow",
    "kernel_gd",
    "kernel_ridge",
    "loglog_slope",
    "loss_scale",
    "mean_ci",
    "train_gd",
]

"""Dynamics engine: linear GNN models, gradient flow references, batched gradient descent, gaps.

Modules: ``models`` (the chain model of Xu et al. / arXiv 2501.14440: loss, gradients, HVPs,
projector, excess loss, instance generator), ``flow`` (reference gradient flow: Taylor series
and float64 DOP853; modified and variational flows), ``flow_arb`` (the high-precision Taylor
integrator in python-flint ball arithmetic behind ``flow_taylor``), ``gd`` (batched torch GD and
a numpy loop), ``gap`` (GD vs GF gaps and first-order predictions), ``bound`` (the proof's bound
along GD iterates; exact discrete balancedness identity).  torch and scipy are imported lazily.
"""
from .models import (GNNInstance, as_object, balance_gaps, chain_grads, chain_hvp, chain_loss,
                     chain_product, excess_loss, grads, hvp, init_weights, lambda_min_prefix, loss,
                     make_instance, make_problem, optimal_loss, pack, predictions, row_projector, sigma_small,
                     to_object, unpack)
from .flow import FlowResult, flow_dop853, flow_reference, flow_taylor, variational_dop853
from .flow_arb import ArbFlow, arb_taylor_flow
from .gd import GDRun, gd_numpy, run_gd_batched
from .gap import gap_study, hessian, sharpness
from .bound import balance_step_residuals, bound_ratios, bound_search, exact_identity_check

__all__ = [
    "GNNInstance", "make_instance", "make_problem", "init_weights", "as_object", "to_object", "pack",
    "unpack", "loss", "grads", "hvp", "predictions", "excess_loss", "optimal_loss", "row_projector",
    "sigma_small", "lambda_min_prefix", "balance_gaps", "chain_product", "chain_loss", "chain_grads",
    "chain_hvp", "FlowResult", "flow_taylor", "flow_dop853", "variational_dop853", "flow_reference",
    "ArbFlow", "arb_taylor_flow", "GDRun", "run_gd_batched", "gd_numpy", "gap_study", "hessian",
    "sharpness", "bound_ratios", "bound_search", "balance_step_residuals", "exact_identity_check",
]

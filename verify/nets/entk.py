"""Empirical NTK of a finite network with ``torch.func``; the doubled (antisymmetric) network.

For a model ``fn(params) -> outputs`` of shape (N,) the empirical NTK is the N × N matrix
Θ_m = J Jᵀ, J = ∂f/∂θ (N × P), summed over parameter tensors:
Θ_m = Σ_k J_k J_kᵀ.  Each J_k comes from ``torch.func.jacrev`` on that tensor alone, so the
peak memory is N × (largest tensor), not N × P.  A cross kernel Θ_m(X₁, X₂) = J₁ J₂ᵀ is returned
when a second model ``fn2`` (same parameters, other inputs) is given.
"""
from __future__ import annotations

import math
from typing import Callable

import torch
from torch.func import jacrev

Params = dict[str, torch.Tensor]


def _jac_one(fn: Callable[[Params], torch.Tensor], params: Params, name: str) -> torch.Tensor:
    def f_one(p: torch.Tensor) -> torch.Tensor:
        return fn({**params, name: p})

    j = jacrev(f_one)(params[name])
    return j.reshape(j.shape[0], -1)


def empirical_ntk(
    fn: Callable[[Params], torch.Tensor],
    params: Params,
    fn2: Callable[[Params], torch.Tensor] | None = None,
) -> torch.Tensor:
    """Θ_m = Σ_k (∂fn/∂θ_k)(∂fn2/∂θ_k)ᵀ, shape (N₁, N₂) (fn2 = fn when omitted)."""
    params = {k: v.detach() for k, v in params.items()}
    out = None
    for name in params:
        j1 = _jac_one(fn, params, name)
        j2 = j1 if fn2 is None else _jac_one(fn2, params, name)
        term = j1 @ j2.T
        out = term if out is None else out + term
        del j1, j2
    assert out is not None, "a model without parameters has no NTK"
    return out


def empirical_ntk_loop(fn: Callable[[Params], torch.Tensor], params: Params) -> torch.Tensor:
    """The same Θ_m = J Jᵀ with J built from one ``torch.autograd.grad`` call per output: the slow,
    straightforward baseline that ``empirical_ntk`` is tested and benchmarked against."""
    theta = {k: v.detach().clone().requires_grad_(True) for k, v in params.items()}
    out = fn(theta)
    rows = []
    for i in range(out.shape[0]):
        g = torch.autograd.grad(out[i], list(theta.values()), retain_graph=True)
        rows.append(torch.cat([x.reshape(-1) for x in g]))
    J = torch.stack(rows)
    return (J @ J.T).detach()


def doubled_params(params: Params) -> Params:
    """Two identical copies ``a.NAME``, ``b.NAME`` (cloned) for :func:`doubled`."""
    out = {}
    for k, v in params.items():
        out[f"a.{k}"] = v.clone()
        out[f"b.{k}"] = v.clone()
    return out


def split_doubled(params: Params) -> tuple[Params, Params]:
    a = {k[2:]: v for k, v in params.items() if k.startswith("a.")}
    b = {k[2:]: v for k, v in params.items() if k.startswith("b.")}
    return a, b


def doubled(fn: Callable[[Params], torch.Tensor]) -> Callable[[Params], torch.Tensor]:
    """The antisymmetric doubled model f(θ_a, θ_b) = (g(θ_a) − g(θ_b)) / √2.

    Started at θ_a = θ_b (:func:`doubled_params`) it has f₀ ≡ 0 exactly, and its empirical NTK at
    initialisation equals g's: (Θ_g(θ_a) + Θ_g(θ_b)) / 2 = Θ_g(θ_a).
    """

    def f(params: Params) -> torch.Tensor:
        a, b = split_doubled(params)
        return (fn(a) - fn(b)) / math.sqrt(2.0)

    return f

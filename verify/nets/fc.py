"""Finite-width fully connected networks in the two NTK parameterisations (scalar output).

Networks are functional: ``init_fc`` returns a flat parameter dict, ``fc_forward(params, x, spec)``
returns the outputs, shape (N,), for inputs ``x`` of shape (N, n0) (rows are points).  Every
parameter is drawn i.i.d. N(0, 1); the scaling lives in the forward pass, so the empirical NTK
∑_θ ∂f(x)/∂θ ∂f(x')/∂θ converges to the analytic kernel of the same convention:

* ``jacot`` (Jacot et al. 2018): α^{(0)} = x, α̃^{(ℓ+1)} = W^{(ℓ)} α^{(ℓ)} / √n_ℓ + β b^{(ℓ)},
  α^{(ℓ)} = σ(α̃^{(ℓ)}), f = α̃^{(L)}.  ``depth`` is Jacot's L: L weight matrices, L − 1 hidden
  layers (L = 1 is a linear network).  The limit is Θ^{(L)} with Σ^{(1)} = xᵀx'/n₀ + β², no c_σ.
  (Seed 003 prints 1/√n_L; the index is n_ℓ, the fan-in, see proofs/ntk_jacot2018/checks.py.)
* ``arora`` (Arora et al. 2019): g^{(1)} = W^{(1)} x (unscaled), g^{(h)} = W^{(h)} √(c_σ/m) σ(g^{(h−1)}),
  f = W^{(L+1)} √(c_σ/m) σ(g^{(L)}), c_σ = 1/E[σ(z)²] (2 for ReLU), no bias.  ``depth`` is the number
  of hidden layers L (L = 1: one hidden layer); the limit is Θ^{(L)} with Σ^{(0)} = xᵀx'.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from ..device import torch_device
from ..errors import InputError
from .tensors import DTYPE, generator

CONVENTIONS = ("jacot", "arora")

#: activation -> (function, c_σ = 1/E[σ(z)²] for z ~ N(0, 1))
ACTIVATIONS = {
    "relu": (torch.relu, 2.0),
    "erf": (torch.erf, math.pi / (2.0 * math.asin(2.0 / 3.0))),
}


@dataclass(frozen=True)
class FCSpec:
    """Architecture of a scalar-output fully connected net.

    ``width`` m is the width of every hidden layer; ``depth`` follows ``convention`` (see module doc);
    ``bias`` is Jacot's β (must be 0 for ``arora``).
    """

    n_in: int
    width: int
    depth: int
    convention: str = "jacot"
    bias: float = 0.0
    activation: str = "relu"

    def __post_init__(self) -> None:
        if self.convention not in CONVENTIONS:
            raise InputError(f"convention must be one of {CONVENTIONS}, got {self.convention!r}")
        if self.activation not in ACTIVATIONS:
            raise InputError(f"activation must be one of {sorted(ACTIVATIONS)}, got {self.activation!r}")
        if self.n_in < 1 or self.width < 1:
            raise InputError(f"input dimension and width must be >= 1 (got {self.n_in}, {self.width})")
        if self.depth < 1:
            raise InputError(f"depth must be >= 1, got {self.depth}")
        if not math.isfinite(self.bias) or self.bias < 0:
            raise InputError(f"bias scale must be finite and >= 0, got {self.bias}")
        if self.convention == "arora" and self.bias != 0.0:
            raise InputError("the arora convention has no bias (use bias=0)")

    def layer_sizes(self) -> list[int]:
        """[n0, n1, ..., output=1] as the weight matrices see them."""
        hidden = self.depth - 1 if self.convention == "jacot" else self.depth
        return [self.n_in] + [self.width] * hidden + [1]


def init_fc(spec: FCSpec, seed: int, device=None) -> dict[str, torch.Tensor]:
    """Parameters ``W{i}`` (shape n_{i+1} × n_i) and, for jacot with β > 0, ``b{i}``; all N(0, 1)."""
    dev = torch_device(device)
    g = generator(seed, dev)
    sizes = spec.layer_sizes()
    params: dict[str, torch.Tensor] = {}
    for i in range(len(sizes) - 1):
        params[f"W{i}"] = torch.randn(sizes[i + 1], sizes[i], generator=g, dtype=DTYPE, device=dev)
        if spec.convention == "jacot" and spec.bias > 0:
            params[f"b{i}"] = torch.randn(sizes[i + 1], generator=g, dtype=DTYPE, device=dev)
    return params


def fc_forward(params: dict[str, torch.Tensor], x: torch.Tensor, spec: FCSpec) -> torch.Tensor:
    """Outputs f(x), shape (N,), for inputs ``x`` of shape (N, n0)."""
    sigma, c_sigma = ACTIVATIONS[spec.activation]
    n_layers = len(spec.layer_sizes()) - 1
    a = x
    for i in range(n_layers):
        w = params[f"W{i}"]
        if spec.convention == "jacot":
            z = a @ w.T / math.sqrt(w.shape[1])
            if spec.bias > 0:
                z = z + spec.bias * params[f"b{i}"]
        else:
            z = a @ w.T
        if i < n_layers - 1:
            a = sigma(z)
            if spec.convention == "arora":
                a = a * math.sqrt(c_sigma / w.shape[0])
        else:
            a = z
    return a[:, 0]

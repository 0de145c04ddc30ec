"""Tensors of the finite-network modules: float64 everywhere, seeded generators.

The device rule (CUDA when present, TF32 off, CPU thread limit) is :mod:`verify.device`.
"""
from __future__ import annotations

import torch

DTYPE = torch.float64


def generator(seed: int, device: torch.device) -> torch.Generator:
    """A seeded generator on ``device`` (every random draw in ``verify.nets`` goes through one)."""
    g = torch.Generator(device=device)
    g.manual_seed(int(seed))
    return g


def as_tensor(x, device: torch.device) -> torch.Tensor:
    """A float64 tensor on ``device`` (numpy arrays, nested lists and tensors accepted)."""
    return torch.as_tensor(x, dtype=DTYPE, device=device)

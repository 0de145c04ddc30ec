"""Torch set-up shared by the finite-network modules: float64, CUDA when present, no TF32."""
from __future__ import annotations

import functools
import os
from contextlib import contextmanager

import torch

DTYPE = torch.float64


def default_device() -> torch.device:
    """CUDA when ``torch.cuda.is_available()``, else CPU.  TF32 is switched off (gap work needs float64)."""
    if torch.cuda.is_available():
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        return torch.device("cuda")
    return torch.device("cpu")


def resolve_device(device: str | torch.device | None) -> torch.device:
    """``None`` means :func:`default_device`."""
    return default_device() if device is None else torch.device(device)


def generator(seed: int, device: torch.device) -> torch.Generator:
    """A seeded generator on ``device`` (every random draw in ``verify.nets`` goes through one)."""
    g = torch.Generator(device=device)
    g.manual_seed(int(seed))
    return g


def as_tensor(x, device: torch.device) -> torch.Tensor:
    """A float64 tensor on ``device`` (numpy arrays, nested lists and tensors accepted)."""
    return torch.as_tensor(x, dtype=DTYPE, device=device)


@contextmanager
def torch_threads(device: torch.device | None = None):
    """Run a block with ``VERIFY_TORCH_THREADS`` intra-op threads on CPU (default 1), then restore.

    The studies here multiply small matrices (widths ≤ a few thousand, tens of nodes), where one
    thread is fastest; on a shared 2-core machine two threads were measured 7x slower
    (36×512 by 512×512 float64 forward+backward: 3.8 ms with 1 thread, 27.7 ms with 2).
    """
    if device is not None and torch.device(device).type == "cuda":
        yield
        return
    old = torch.get_num_threads()
    try:
        n = int(os.environ.get("VERIFY_TORCH_THREADS", "1"))
    except ValueError:
        n = 1
    torch.set_num_threads(max(1, n))
    try:
        yield
    finally:
        torch.set_num_threads(old)


def single_threaded(fn):
    """Decorator: run ``fn`` inside :func:`torch_threads` (device taken from a ``device`` keyword)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with torch_threads(kwargs.get("device")):
            return fn(*args, **kwargs)

    return wrapper

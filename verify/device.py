"""Where torch computations run: one device rule, TF32 off, and a CPU thread limit.

* :func:`resolve_device` maps a command-line choice ``"cpu" | "cuda" | "auto"`` to the device name
  (``InputError`` for an unknown name, or for ``"cuda"`` without a CUDA device).
* :func:`torch_device` is the same rule for library calls (``None`` means ``"auto"``), returning a
  ``torch.device``.
* On CUDA, TF32 matmuls are switched off: the gap and kernel studies need float64 all the way.
* :func:`torch_threads` / :func:`single_threaded` limit torch's intra-op threads on CPU
  (``VERIFY_TORCH_THREADS``, default 1).

torch is imported inside the functions so that ``verify check`` never pays for it.
"""
from __future__ import annotations

import functools
import os
from contextlib import contextmanager
from typing import Any, Callable, Iterator, TypeVar

from .errors import InputError

__all__ = ["DEVICE_CHOICES", "resolve_device", "torch_device", "torch_threads", "single_threaded"]

DEVICE_CHOICES = ("cpu", "cuda", "auto")

F = TypeVar("F", bound=Callable[..., Any])


def _float64_only() -> None:
    import torch

    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False


def resolve_device(device: str) -> str:
    """``"cpu" | "cuda" | "auto"`` → ``"cpu"`` or ``"cuda"``.

    ``"auto"`` picks CUDA when ``torch.cuda.is_available()``.  On CUDA, TF32 is switched off.
    Raises InputError for any other name, or for ``"cuda"`` when no CUDA device is present.
    """
    import torch

    if device not in DEVICE_CHOICES:
        raise InputError(f"--device must be cpu, cuda or auto (got {device!r})")
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda":
        if not torch.cuda.is_available():
            raise InputError("--device cuda requested but torch.cuda.is_available() is False")
        _float64_only()
    return device


def torch_device(device: Any = None) -> Any:
    """A ``torch.device``: ``None`` → :func:`resolve_device` ("auto"); a name or device is taken
    as given (TF32 still switched off when it is CUDA)."""
    import torch

    if device is None:
        return torch.device(resolve_device("auto"))
    dev = torch.device(device)
    if dev.type == "cuda":
        _float64_only()
    return dev


def _thread_count() -> int:
    try:
        return max(1, int(os.environ.get("VERIFY_TORCH_THREADS", "1")))
    except ValueError:
        return 1


@contextmanager
def torch_threads(device: Any = None) -> Iterator[None]:
    """Run a block with ``VERIFY_TORCH_THREADS`` intra-op threads on CPU (default 1), then restore.

    The studies multiply small matrices (widths up to a few thousand, tens of nodes), where one
    thread is fastest; on a shared 2-core machine two threads were measured 7x slower
    (36×512 by 512×512 float64 forward+backward: 3.8 ms with 1 thread, 27.7 ms with 2).
    Nothing changes on CUDA.
    """
    import torch

    if device is not None and torch.device(device).type == "cuda":
        yield
        return
    old = torch.get_num_threads()
    torch.set_num_threads(_thread_count())
    try:
        yield
    finally:
        torch.set_num_threads(old)


def single_threaded(fn: F) -> F:
    """Decorator: run ``fn`` inside :func:`torch_threads` (device taken from a ``device`` keyword)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with torch_threads(kwargs.get("device")):
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]

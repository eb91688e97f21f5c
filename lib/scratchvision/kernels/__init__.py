"""Optional GPU kernels: faster versions of library ops, never required.

The rule (DEVELOPERS guide): every op has a pure-PyTorch implementation in ``ops/`` that
is the reference; a kernel here is an *extra* that is used only when its toolkit and a
GPU are present, and it is tested against that reference. Nothing in the course needs a
GPU.

A kernel module exposes ``available() -> bool`` and a function with the same signature
as the op it accelerates; callers go through :func:`pick`, which falls back to the
reference.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

import torch


def triton_available() -> bool:
    """True when Triton is importable and a CUDA GPU is present."""
    return importlib.util.find_spec("triton") is not None and torch.cuda.is_available()


def pick(
    reference: Callable, kernel: Callable | None, available: Callable[[], bool]
) -> Callable:
    """Return ``kernel`` if ``available()`` says it can run here, else ``reference``.

    The reference is the pure-PyTorch op.
    """
    if kernel is not None and available():
        return kernel
    return reference

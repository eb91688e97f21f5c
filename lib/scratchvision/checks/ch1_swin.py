"""Checkers of lesson 1.4, the Swin Transformer.

``notebooks/01_cnn_vit/04_swin.ipynb``: ``window_partition`` and the cost of windowed
attention (Liu et al. 2021, Eq. 2).
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from scratchvision.checks.core import Case, compare
from scratchvision.ops.windows import window_partition as _window_partition


def _window_partition_cases() -> list[Case]:
    g = torch.Generator().manual_seed(4)
    # (B, H, W, C, M): one window, several, rectangular maps, one-pixel windows
    shapes = [
        (1, 4, 4, 1, 4),
        (1, 4, 4, 2, 2),
        (2, 8, 8, 3, 4),
        (1, 6, 9, 2, 3),
        (2, 4, 6, 1, 1),
    ]
    return [((torch.randn(b, h, w, c, generator=g), m), {}) for b, h, w, c, m in shapes]


def window_partition(fn: Callable) -> bool:
    """Check ``fn(x, window)`` against ``ops.windows.window_partition``.

    (B, H, W, C) -> (B*nW, M*M, C).
    """
    cases = _window_partition_cases()
    return compare("window_partition", fn, _window_partition, cases)


def wmsa_flops(fn: Callable) -> bool:
    """Check ``fn(h, w, C, M)`` against ``swin.wmsa_flops`` (Liu et al. 2021, Eq. 2)."""
    from scratchvision.backbones.swin import wmsa_flops as reference

    cases = [
        (8, 8, 32, 4),
        (56, 56, 96, 7),
        (14, 14, 384, 7),
        (16, 8, 48, 4),
        (7, 7, 768, 7),
    ]
    return compare("wmsa_flops", fn, reference, [(c, {}) for c in cases])

"""Checkers of lesson 1.3, the Vision Transformer.

``notebooks/01_cnn_vit/03_vit.ipynb``: ``patchify`` and the token count of a ViT.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from scratchvision.checks.core import Case, compare
from scratchvision.ops.patches import patchify as _patchify


def _patchify_cases() -> list[Case]:
    g = torch.Generator().manual_seed(3)
    # (B, C, H, W, P): square and rectangular images, one-pixel and whole-image patches
    shapes = [
        (1, 1, 4, 4, 2),
        (2, 3, 8, 8, 4),
        (1, 3, 6, 9, 3),
        (2, 2, 4, 4, 1),
        (1, 3, 8, 8, 8),
    ]
    return [((torch.randn(b, c, h, w, generator=g), p), {}) for b, c, h, w, p in shapes]


def patchify(fn: Callable) -> bool:
    """Check ``fn(images, patch_size)`` against ``ops.patches.patchify``.

    Patches are row-major, each flattened as (p1 p2 c).
    """
    return compare("patchify", fn, _patchify, _patchify_cases())


def _vit_tokens(image_size: int, patch_size: int) -> tuple[int, int]:
    image = torch.zeros(1, 1, image_size, image_size)
    tokens = _patchify(image, patch_size).shape[1] + 1  # + CLS
    return tokens, tokens * tokens


def vit_tokens(fn: Callable) -> bool:
    """Check ``fn(image_size, patch_size) -> (tokens, entries)`` for a ViT.

    ``tokens`` counts the CLS token; ``entries`` is the size of one head's attention
    matrix.
    """
    cases = [(32, 4), (64, 8), (224, 16), (224, 14), (384, 16), (28, 7)]
    return compare("vit_tokens", fn, _vit_tokens, [(c, {}) for c in cases])

"""Checkers of chapter 2, self-supervised learning.

``notebooks/02_self_supervised/01_mae.ipynb``: ``random_masking`` (its properties, since
any uniform shuffle is right) and ``mae_loss``; ``02_dino.ipynb``: ``dino_loss`` and
``update_center``.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from scratchvision.checks.core import Case, compare
from scratchvision.selfsup.dino import dino_loss as _dino_loss
from scratchvision.selfsup.dino import update_center as _update_center
from scratchvision.selfsup.mae import mae_loss as _mae_loss
from scratchvision.validate import Checker


def random_masking(fn: Callable) -> bool:
    """Check ``fn(tokens, mask_ratio, generator=g) -> (visible, mask, ids_restore)``.

    Any uniform random choice is right, so the checker tests what must hold: K =
    round((1 - r) N) visible tokens per sample, ``mask`` 1 on the others, the visible
    tokens are the unmasked ones, and ``ids_restore`` is a permutation.
    """
    Checker("checks.random_masking").callable("fn", fn)
    g = torch.Generator().manual_seed(0)
    for b, n, d, ratio in ((2, 16, 3, 0.75), (3, 10, 2, 0.5), (1, 7, 4, 0.0)):
        tokens = torch.randn(b, n, d, generator=g)
        try:
            visible, mask, ids = fn(tokens.clone(), ratio, generator=g)
        except Exception as error:  # the reader's bug, reported rather than raised
            print(f"✗ random_masking: raised {type(error).__name__}: {error}")
            return False
        problem = _masking_problem(tokens, ratio, visible, mask, ids)
        if problem:
            print(
                f"✗ random_masking: tokens {tuple(tokens.shape)}, r={ratio}: {problem}"
            )
            return False
    print("✓ random_masking: all 3 cases hold")
    return True


def _masking_problem(tokens, ratio, visible, mask, ids) -> str | None:
    b, n, d = tokens.shape
    keep = round((1 - ratio) * n)
    if not all(isinstance(t, torch.Tensor) for t in (visible, mask, ids)):
        return "return three tensors (visible, mask, ids_restore)"
    if tuple(visible.shape) != (b, keep, d) or tuple(mask.shape) != (b, n):
        return (
            f"visible should be {(b, keep, d)} and mask {(b, n)}, got "
            f"{tuple(visible.shape)} and {tuple(mask.shape)}"
        )
    if not ((mask == 0) | (mask == 1)).all() or (mask.sum(1) != n - keep).any():
        return f"mask should hold exactly {n - keep} ones per sample (1 = masked)"
    if not (ids.sort(1).values == torch.arange(n)).all():
        return "ids_restore should be a permutation of 0..N-1 per sample"
    for i in range(b):
        kept, seen = tokens[i][mask[i] == 0], visible[i]
        if not torch.equal(kept[kept[:, 0].argsort()], seen[seen[:, 0].argsort()]):
            return "the visible tokens should be exactly the tokens where mask is 0"
    return None


def _mae_cases() -> list[Case]:
    g = torch.Generator().manual_seed(1)
    cases = []
    for b, n, p, norm in ((2, 8, 12, True), (3, 5, 6, False), (1, 4, 48, True)):
        mask = (torch.rand(b, n, generator=g) < 0.6).float()
        mask[:, 0] = 1
        pred, target = (
            torch.randn(b, n, p, generator=g),
            torch.rand(b, n, p, generator=g),
        )
        cases.append(((pred, target, mask), {"norm_pix": norm}))
    return cases


def mae_loss(fn: Callable) -> bool:
    """Check ``fn(pred, target, mask, norm_pix=...)`` against ``selfsup.mae_loss``."""
    return compare("mae_loss", fn, _mae_loss, _mae_cases())


def _dino_cases() -> list[Case]:
    g = torch.Generator().manual_seed(2)
    cases = []
    for v_s, v_t, b, k in ((2, 2, 4, 8), (6, 2, 3, 16), (4, 2, 1, 5)):
        student = torch.randn(v_s, b, k, generator=g)
        teacher = torch.randn(v_t, b, k, generator=g)
        center = 0.1 * torch.randn(k, generator=g)
        cases.append(
            ((student, teacher, center), {"student_temp": 0.1, "teacher_temp": 0.04})
        )
    return cases


def dino_loss(fn: Callable) -> bool:
    """Check ``fn(student_logits, teacher_logits, center, *, student_temp,
    teacher_temp)`` against ``selfsup.dino_loss`` (pairs of different views only)."""
    return compare("dino_loss", fn, _dino_loss, _dino_cases())


def update_center(fn: Callable) -> bool:
    """Check ``fn(center, teacher_logits, momentum=m)`` against the library's."""
    g = torch.Generator().manual_seed(3)
    cases = [
        (
            (torch.randn(k, generator=g), torch.randn(v, b, k, generator=g)),
            {"momentum": m},
        )
        for v, b, k, m in ((2, 4, 8, 0.9), (2, 1, 3, 0.5), (2, 6, 16, 0.0))
    ]
    return compare("update_center", fn, _update_center, cases)

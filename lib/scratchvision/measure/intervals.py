"""95 % intervals for the numbers a lesson reports: means over test items, accuracies.

A score measured on a test set is an estimate; every table of the course gives it with
its interval, so a reader can tell a real difference from noise:

- :func:`mean_interval`: the mean of per-item scores (PSNR of each crop, say) and the
  half-width of its Student-t interval, ``t_{0.975, n-1} * s / sqrt(n)``;
- :func:`paired_interval`: the same for the per-item *differences* of two methods
  scored on the same items, which is far tighter than comparing two separate intervals
  when the items vary more than the methods do;
- :func:`accuracy_interval`: a proportion of ``n`` (normal approximation).

Used by chapter 1's tables of accuracies and by every table of chapter 5.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from scipy import stats

from scratchvision.validate import Checker


def mean_interval(
    values: torch.Tensor | Sequence[float], *, level: float = 0.95
) -> tuple[float, float]:
    """``(mean, half_width)`` of the ``level`` Student-t interval of the mean.

    Args:
        values: one score per test item, at least two, all finite.
        level: the coverage, in (0, 1).
    """
    x = _check_values("mean_interval", values, level)
    n = x.numel()
    half = stats.t.ppf(0.5 + level / 2, n - 1) * x.std().item() / math.sqrt(n)
    return x.mean().item(), float(half)


def paired_interval(
    a: torch.Tensor | Sequence[float],
    b: torch.Tensor | Sequence[float],
    *,
    level: float = 0.95,
) -> tuple[float, float]:
    """``(mean, half_width)`` of ``a - b``, item by item: is ``a`` better than ``b``?

    ``a`` and ``b`` must score the same items in the same order.
    """
    x = _check_values("paired_interval", a, level, name="a")
    y = _check_values("paired_interval", b, level, name="b")
    Checker("paired_interval").that(
        x.shape == y.shape,
        f"a and b must score the same items, got {x.numel()} and {y.numel()} values",
    )
    return mean_interval(x - y, level=level)


def accuracy_interval(accuracy: float, n: int, *, level: float = 0.95) -> float:
    """Half-width of the ``level`` interval of an accuracy measured on ``n`` items."""
    check = Checker("accuracy_interval")
    check.range("accuracy", accuracy, low=0.0, high=1.0)
    check.int("n", n, min_value=1)
    check.range("level", level, low=0.0, high=1.0)
    z = stats.norm.ppf(0.5 + level / 2)
    return float(z * math.sqrt(accuracy * (1 - accuracy) / n))


def _check_values(fn, values, level, *, name="values") -> torch.Tensor:
    check = Checker(fn)
    check.range("level", level, low=0.0, high=1.0)
    check.that(0 < level < 1, f"level must be in (0, 1), got {level!r}")
    if not isinstance(values, torch.Tensor):
        check.that(
            isinstance(values, (list, tuple)),
            f"{name} must be a tensor or a list of numbers, "
            f"got {type(values).__name__}",
        )
        values = torch.tensor([float(v) for v in values])
    x = values.detach().double().flatten()
    check.that(x.numel() >= 2, f"{name} must hold at least 2 scores, got {x.numel()}")
    check.that(
        bool(torch.isfinite(x).all()), f"{name} must be finite, got {x.tolist()[:8]}"
    )
    return x

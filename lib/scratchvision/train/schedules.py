"""Learning-rate schedules: a linear warm-up, then a cosine decay to zero.

The warm-up keeps the first steps small while Adam's moment estimates are still noisy
(Goyal et al. 2017; transformers rarely train without it); the cosine decay (Loshchilov
& Hutter 2017) ends training with small steps that settle into a minimum.
"""

from __future__ import annotations

import math

import torch

from scratchvision.validate import Checker


def warmup_cosine(
    optimizer: torch.optim.Optimizer, steps: int, warmup: float
) -> torch.optim.lr_scheduler.LambdaLR:
    """Linear warm-up over ``warmup * steps`` steps, then a cosine decay to zero.

    Args:
        optimizer: its learning rate is the peak.
        steps: the training budget in optimiser steps (>= 1).
        warmup: the warm-up's share of ``steps``, in [0, 1].
    """
    check = Checker("warmup_cosine")
    check.that(
        isinstance(optimizer, torch.optim.Optimizer),
        f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}",
    )
    check.int("steps", steps, min_value=1)
    check.range("warmup", warmup, low=0.0, high=1.0)
    ramp = max(round(warmup * steps), 1)

    def factor(i: int) -> float:
        if i < ramp:
            return (i + 1) / ramp
        return 0.5 * (1 + math.cos(math.pi * (i - ramp) / max(steps - ramp, 1)))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)

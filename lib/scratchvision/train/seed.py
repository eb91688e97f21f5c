"""Repeatable notebooks: one call seeds every random number generator in use."""

from __future__ import annotations

import random

import numpy as np
import torch

from scratchvision.validate import check_int


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and PyTorch; return a ``torch.Generator`` seeded the same way.

    Library functions take an explicit ``generator=``; this only makes notebooks
    repeatable.
    """
    check_int("seed", seed, min_value=0, fn="seed_everything")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)

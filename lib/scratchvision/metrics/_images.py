"""The guard every image metric shares: two image batches of one shape, finite.

An empty batch would average to NaN and a NaN pixel would poison the mean, so both are
refused here, once, instead of inside the maths of each metric.
"""

from __future__ import annotations

import torch

from scratchvision.validate import check_choice, check_range, check_tensor

IMAGE_DIMS = "(B, C, H, W) or (C, H, W)"
REDUCTIONS = ("mean", "none")


def check_image_pair(
    fn: str, pred, target, *, data_range: float = 1.0, reduction: str = "mean"
) -> tuple[torch.Tensor, torch.Tensor]:
    """Check ``pred`` and ``target``; return them as batches Tensor[B, C, H, W]."""
    for name, value in (("pred", pred), ("target", target)):
        check_tensor(
            name,
            value,
            ndim=(3, 4),
            dims=IMAGE_DIMS,
            floating=True,
            finite=True,
            nonempty=True,
            fn=fn,
        )
    if pred.shape != target.shape:
        raise ValueError(
            f"{fn}: pred and target must have the same shape, got {tuple(pred.shape)} "
            f"and {tuple(target.shape)}"
        )
    check_range("data_range", data_range, low=1e-12, fn=fn)
    check_choice("reduction", reduction, REDUCTIONS, fn=fn)
    return (pred, target) if pred.ndim == 4 else (pred[None], target[None])


def reduce_images(per_image: torch.Tensor, reduction: str, ndim: int) -> torch.Tensor:
    """Tensor[B] per image -> their mean, or as they are; one image -> its value."""
    if ndim == 3:
        return per_image[0]
    return per_image.mean() if reduction == "mean" else per_image

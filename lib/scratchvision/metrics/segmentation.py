"""Segmentation metrics: how well a predicted mask covers the true one.

``mask_iou`` is the Jaccard index |P ∩ T| / |P ∪ T| of binary masks, image by image:
chapter 2 scores DINO's attention masks with it (Caron et al. 2021, Table 4); chapter 4
builds mean IoU and panoptic quality on it.
"""

from __future__ import annotations

import torch

from scratchvision.validate import Checker


def mask_iou(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Per-image intersection over union of binary masks.

    Args:
        pred (BoolTensor[B, H, W]): predicted masks.
        target (BoolTensor[B, H, W]): true masks.

    Returns:
        Tensor[B]: IoU in [0, 1]; 1 where both masks are empty (nothing to miss).
    """
    check = Checker("mask_iou")
    for name, value in (("pred", pred), ("target", target)):
        check.tensor(
            name, value, ndim=3, dims="(B, H, W)", dtype=torch.bool, nonempty=True
        )
    check.that(
        pred.shape == target.shape,
        f"pred and target must have the same shape, got {tuple(pred.shape)} and "
        f"{tuple(target.shape)}",
    )
    inter = (pred & target).flatten(1).sum(1).float()  # (B,)
    union = (pred | target).flatten(1).sum(1).float()  # (B,)
    return torch.where(union > 0, inter / union.clamp(min=1), torch.ones_like(union))

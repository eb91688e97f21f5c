"""Emerging segmentation: the CLS token's attention, thresholded, is an object mask.

DINO's Fig. 3 and Table 4 (Caron et al. 2021): the last block's CLS-to-patch attention
of a self-supervised ViT lights up the object; keeping the most-attended patches that
hold 60 % of the attention mass gives a mask whose Jaccard index (IoU) with the true
object is much higher than a supervised ViT's (45.9 vs 27.3 on PASCAL VOC 2012).

``cls_attention`` records that attention with ``record_attention`` (the inspection door
every backbone shares); ``attention_mask`` keeps the top patches up to a mass and
paints them at pixel resolution; ``metrics.mask_iou`` scores it.

Taught in ``notebooks/02_self_supervised/02_dino.ipynb``.
"""

from __future__ import annotations

import torch
from einops import rearrange, repeat

from scratchvision.blocks import record_attention
from scratchvision.metrics import mask_iou
from scratchvision.validate import Checker


@torch.no_grad()
def cls_attention(vit: torch.nn.Module, images: torch.Tensor) -> torch.Tensor:
    """The last block's attention from CLS to every patch: Tensor[B, h, N].

    Args:
        vit: the course's ViT (or anything whose ``encode`` runs
            ``MultiHeadAttention`` blocks on CLS + N patch tokens).
        images (Tensor[B, C, H, W]).

    Returns:
        Tensor[B, h, N]: each head's distribution over the N patches (renormalised
        without CLS's attention to itself, so each row sums to 1).
    """
    check = Checker("cls_attention")
    check.that(
        isinstance(vit, torch.nn.Module) and callable(getattr(vit, "encode", None)),
        f"vit must be an nn.Module with encode(images), got {type(vit).__name__}",
    )
    check.tensor("images", images, ndim=4, dims="(B, C, H, W)", finite=True)
    with record_attention(vit) as probs:
        vit.encode(images)
    last = probs[-1][:, :, 0, 1:]  # (B, h, N): CLS query, patch keys
    return last / last.sum(dim=-1, keepdim=True)


def attention_mask(
    attention: torch.Tensor, grid: tuple[int, int], size: tuple[int, int], *, mass=0.6
) -> torch.Tensor:
    """Keep the most-attended patches holding ``mass`` of the attention; as pixels.

    Args:
        attention (Tensor[B, N]): a distribution over the N = h * w patches (e.g. the
            heads' mean of :func:`cls_attention`).
        grid: the patch grid (h, w), row-major.
        size: the image size (H, W), a multiple of the grid.
        mass: the fraction of the attention to keep (DINO: 0.6).

    Returns:
        BoolTensor[B, H, W]: True on the kept patches.
    """
    _check_mask_args(attention, grid, size, mass)
    values, order = attention.sort(dim=1, descending=True)  # (B, N)
    before = values.cumsum(dim=1) - values  # mass of the patches ranked above
    keep_sorted = before < mass * values.sum(dim=1, keepdim=True)  # (B, N)
    keep = torch.zeros_like(keep_sorted).scatter(1, order, keep_sorted)  # (B, N)
    patches = rearrange(keep, "b (h w) -> b h w", h=grid[0], w=grid[1])
    return repeat(
        patches,
        "b h w -> b (h p1) (w p2)",
        p1=size[0] // grid[0],
        p2=size[1] // grid[1],
    )


def attention_iou(
    vit: torch.nn.Module, images: torch.Tensor, masks: torch.Tensor, *, mass=0.6
) -> torch.Tensor:
    """IoU of each image's CLS-attention mask (heads averaged) with its object mask.

    Args:
        vit: the course's ViT, whose ``patch_size`` divides the image side.
        images (Tensor[B, C, H, W]).
        masks (BoolTensor[B, H, W]): the true object pixels.
        mass: the attention mass kept (DINO: 0.6).

    Returns:
        Tensor[B]: IoU per image.
    """
    Checker("attention_iou").tensor(
        "masks", masks, ndim=3, dims="(B, H, W)", dtype=torch.bool
    )
    attention = cls_attention(vit, images).mean(dim=1)  # (B, N): heads averaged
    size = tuple(images.shape[-2:])
    grid = (size[0] // vit.patch_size, size[1] // vit.patch_size)
    return mask_iou(attention_mask(attention, grid, size, mass=mass), masks)


def _check_mask_args(attention, grid, size, mass) -> None:
    check = Checker("attention_mask")
    check.tensor(
        "attention", attention, ndim=2, dims="(B, N)", floating=True, finite=True
    )
    h, w = check.pair("grid", grid, min_value=1)
    height, width = check.pair("size", size, min_value=1)
    check.range("mass", mass, low=0.0, high=1.0)
    check.that(
        attention.shape[1] == h * w,
        f"attention must have grid {h}x{w} = {h * w} patches, got {attention.shape[1]}",
    )
    check.that(
        height % h == 0 and width % w == 0,
        f"size must be a multiple of grid {h}x{w}, got {height}x{width}",
    )

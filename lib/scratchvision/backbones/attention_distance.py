"""How far each attention head looks: ViT's "receptive field" (Dosovitskiy et al. 2021).

Fig. 7 (right) of the ViT paper plots, for every head of every block, the average
image distance between a query patch and the patches it attends to, weighted by the
attention probabilities. Some heads look far already in the first blocks; a CNN's
receptive field only grows layer by layer.

Taught in ``notebooks/01_cnn_vit/03_vit.ipynb``.
"""

from __future__ import annotations

import torch

from scratchvision.validate import Checker


def mean_attention_distance(
    probs: torch.Tensor, grid: tuple[int, int], *, patch_size: int = 1
) -> torch.Tensor:
    """How far each head looks: the attention-weighted distance between patches.

    ``sum_k p_qk * |pos_q - pos_k|``, averaged over queries and batch
    (Dosovitskiy et al. 2021, Fig. 7 right; the "receptive field size" of a head).
    Probabilities are renormalised over the patch tokens.

    Args:
        probs (Tensor[B, h, N, N]): attention among the N = gh * gw patch tokens only
            (from a ViT record, drop CLS first: ``probs[..., 1:, 1:]``).
        grid: (gh, gw), the patch grid.
        patch_size: pixels per patch, so the distance comes out in pixels.

    Returns:
        Tensor[h], mean distance per head.
    """
    gh, gw = _check_distance_args(probs, grid, patch_size)
    ys, xs = torch.meshgrid(torch.arange(gh), torch.arange(gw), indexing="ij")
    pos = torch.stack([ys.flatten(), xs.flatten()], dim=1).to(probs)  # (N, 2)
    dist = torch.cdist(pos, pos) * patch_size  # (N, N), in pixels
    probs = probs / probs.sum(dim=-1, keepdim=True)  # (B, h, N, N), CLS dropped
    return (probs * dist).sum(dim=-1).mean(dim=(0, 2))  # (h,)


def _check_distance_args(probs, grid, patch_size) -> tuple[int, int]:
    """probs are finite (B, h, N, N) for the grid's N; return the grid."""
    check = Checker("mean_attention_distance")
    check.tensor(
        "probs", probs, ndim=4, dims="(B, h, N, N)", floating=True, finite=True
    )
    gh, gw = check.pair("grid", grid, min_value=1)
    check.int("patch_size", patch_size, min_value=1)
    n = gh * gw
    check.that(
        tuple(probs.shape[-2:]) == (n, n) and probs.shape[0] > 0,
        f"probs must be (B, h, {n}, {n}) for grid {gh}x{gw} (drop the CLS token "
        f"first: probs[..., 1:, 1:]), got {tuple(probs.shape)}",
    )
    return gh, gw

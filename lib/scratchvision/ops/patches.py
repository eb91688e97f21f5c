"""Cut images into non-overlapping patches and put them back.

The first step of a Vision Transformer: "we reshape the image x in R^{H x W x C} into a
sequence of flattened 2D patches x_p in R^{N x (P^2 C)}, where N = HW / P^2"
(Dosovitskiy et al. 2021, Sec. 3.1). ``unpatchify`` is the inverse, used by MAE to turn
predicted patches back into an image (He et al. 2022).

Patches are numbered row-major over the (H/P, W/P) grid; each patch is flattened
row, column, channel, i.e. ``'b c (h p1) (w p2) -> b (h w) (p1 p2 c)'``.

Taught in ``notebooks/01_cnn_vit/`` (ViT lesson).
"""

from __future__ import annotations

import torch
from einops import rearrange

from scratchvision.validate import Checker


def patchify(images: torch.Tensor, patch_size: int) -> torch.Tensor:
    """Flatten each P x P patch of each image into one token.

    Args:
        images (Tensor[B, C, H, W]): H and W divisible by ``patch_size``.
        patch_size: side P of a square patch.

    Returns:
        Tensor[B, N, P * P * C] with ``N = (H / P) * (W / P)``.
    """
    _check_patchify_args(images, patch_size)
    return rearrange(
        images, "b c (h p1) (w p2) -> b (h w) (p1 p2 c)", p1=patch_size, p2=patch_size
    )


def unpatchify(
    tokens: torch.Tensor, patch_size: int, height: int, width: int, channels: int
) -> torch.Tensor:
    """Inverse of :func:`patchify`: ``unpatchify(patchify(x, P), P, H, W, C) == x``.

    Args:
        tokens (Tensor[B, N, P * P * C]): one flattened patch per token, row-major.
        patch_size: side P of a square patch.
        height, width: size H, W of the image in pixels.
        channels: number C of image channels.

    Returns:
        Tensor[B, C, H, W].
    """
    h, w = _check_unpatchify_args(tokens, patch_size, height, width, channels)
    return rearrange(
        tokens,
        "b (h w) (p1 p2 c) -> b c (h p1) (w p2)",
        h=h,
        w=w,
        p1=patch_size,
        p2=patch_size,
    )


def _check_patchify_args(images, patch_size) -> None:
    check = Checker("patchify")
    check.tensor("images", images, ndim=4, dims="(B, C, H, W)")
    check.int("patch_size", patch_size, min_value=1)
    height, width = images.shape[-2:]
    check.that(
        height % patch_size == 0 and width % patch_size == 0,
        f"images height and width must be divisible by patch_size={patch_size}, got "
        f"H={height}, W={width} (crop or resize to a multiple of {patch_size})",
    )


def _check_unpatchify_args(tokens, patch_size, height, width, channels):
    """Check unpatchify's arguments; return the patch grid ``(H / P, W / P)``."""
    check = Checker("unpatchify")
    check.tensor("tokens", tokens, ndim=3, dims="(B, N, P*P*C)")
    check.ints(
        min_value=1,
        patch_size=patch_size,
        height=height,
        width=width,
        channels=channels,
    )
    check.that(
        height % patch_size == 0 and width % patch_size == 0,
        f"height and width must be divisible by patch_size={patch_size}, got "
        f"height={height}, width={width}",
    )
    h, w = height // patch_size, width // patch_size
    want = (h * w, patch_size * patch_size * channels)
    check.that(
        tuple(tokens.shape[1:]) == want,
        f"tokens must have shape (B, {want[0]}, {want[1]}) for height={height}, "
        f"width={width}, channels={channels} in {patch_size}x{patch_size} patches "
        f"(patch_size), got {tuple(tokens.shape)}",
    )
    return h, w

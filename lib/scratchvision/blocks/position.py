"""Position embeddings of a patch grid: fixed sin-cos, and resizing a learned one.

A transformer sees a set of tokens; where each patch sat comes only from the position
embedding added to it (Dosovitskiy et al. 2021, Eq. 1). Both functions here are pure:
``sincos_2d`` writes the fixed embeddings of any grid, and ``interpolate_pos_embed``
resizes a learned grid of embeddings to another grid, so a ViT trained on 32 px images
runs on 48 px ones (ViT fine-tuning at higher resolution, Sec. 3.2; DINO's multi-crop;
the SAM encoder).

Taught in ``notebooks/01_cnn_vit/03_vit.ipynb``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from einops import rearrange

from scratchvision.validate import Checker


def sincos_2d(
    h: int, w: int, dim: int, *, temperature: float = 10000.0
) -> torch.Tensor:
    """Fixed 2-D sin-cos position embeddings (Vaswani et al. 2017, Sec. 3.5, per axis).

    Half of the channels encode the row, half the column, each as sines and cosines of
    ``pos * temperature^(-i / (dim / 4))`` (as in MAE and Beyer et al. 2022, "Better
    plain ViT").

    Args:
        h, w: the grid, rows and columns.
        dim: embedding width D, divisible by 4.
        temperature: the longest wavelength, as in Vaswani et al.

    Returns:
        Tensor[h * w, dim], rows in row-major grid order.
    """
    _check_sincos_args(h, w, dim, temperature)
    y, x = torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")  # (h, w)
    omega = temperature ** -(torch.arange(dim // 4) / (dim // 4))  # (D/4,)
    y = y.flatten()[:, None] * omega[None, :]  # (N, D/4)
    x = x.flatten()[:, None] * omega[None, :]  # (N, D/4)
    return torch.cat([y.sin(), y.cos(), x.sin(), x.cos()], dim=1)  # (N, D)


def interpolate_pos_embed(
    pos: torch.Tensor, old_grid: tuple[int, int], new_grid: tuple[int, int]
) -> torch.Tensor:
    """Resize a grid of position embeddings by bicubic interpolation.

    The embeddings are laid out as a D-channel image of the old grid, resized to the
    new one and read back row-major (Dosovitskiy et al. 2021, Sec. 3.2: "2D
    interpolation of the pre-trained position embeddings"; bicubic, as DINO does).
    The same grid returns ``pos`` itself.

    Args:
        pos (Tensor[N, D]): one embedding per patch, row-major, ``N = gh * gw`` (no
            CLS row).
        old_grid: (gh, gw) of ``pos``.
        new_grid: (gh', gw') wanted.

    Returns:
        Tensor[gh' * gw', D].
    """
    (gh, gw), new_grid = _check_interpolate_args(pos, old_grid, new_grid)
    if (gh, gw) == new_grid:
        return pos
    grid = rearrange(pos, "(h w) d -> 1 d h w", h=gh, w=gw)  # (1, D, gh, gw)
    grid = F.interpolate(grid, size=new_grid, mode="bicubic", align_corners=False)
    return rearrange(grid, "1 d h w -> (h w) d")  # (gh' * gw', D)


def _check_sincos_args(h, w, dim, temperature) -> None:
    check = Checker("sincos_2d")
    check.ints(min_value=1, h=h, w=w)
    check.int("dim", dim, min_value=4)
    check.that(dim % 4 == 0, f"dim must be divisible by 4, got {dim}")
    check.range("temperature", temperature, low=1e-6)


def _check_interpolate_args(pos, old_grid, new_grid):
    """pos is (gh * gw, D), finite; return both grids as pairs."""
    check = Checker("interpolate_pos_embed")
    check.tensor("pos", pos, ndim=2, dims="(N, D)", floating=True, finite=True)
    old_grid = check.pair("old_grid", old_grid, min_value=1)
    new_grid = check.pair("new_grid", new_grid, min_value=1)
    check.that(
        pos.shape[0] == old_grid[0] * old_grid[1],
        f"pos must have gh * gw = {old_grid[0] * old_grid[1]} rows for old_grid "
        f"{old_grid}, got shape {tuple(pos.shape)}",
    )
    return old_grid, new_grid

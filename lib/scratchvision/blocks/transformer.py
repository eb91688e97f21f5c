"""The transformer encoder's parts: patch embedding, MLP, pre-norm block.

ViT is built from them bottom-up (Dosovitskiy et al. 2021): ``PatchEmbed`` turns P x P
patches into tokens (Eq. 1), ``MLP`` is the per-token perceptron (Eq. 3) and ``Block``
the pre-norm encoder layer (Eq. 2-3) around :class:`MultiHeadAttention`. Swin reuses
``PatchEmbed`` and ``MLP``; MAE, DINO and the SAM encoder reuse all three.

Blocks check the shapes they are given; the finite check on the data happens once, at
the model's door (``ViT.embed``), not again in every block.

Taught in ``notebooks/01_cnn_vit/03_vit.ipynb``.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from scratchvision.blocks.attention import MultiHeadAttention
from scratchvision.ops.patches import patchify
from scratchvision.validate import Checker


class PatchEmbed(nn.Module):
    """Linear projection of flattened P x P patches, ``x_p E`` (Eq. 1).

    Identical to a ``Conv2d(C, D, kernel_size=P, stride=P)`` whose weight is ``E``
    reshaped.

    Args:
        patch_size: side P of a patch.
        in_channels: image channels C.
        dim: token width D.
    """

    def __init__(
        self, *, patch_size: int = 8, in_channels: int = 3, dim: int = 128
    ) -> None:
        super().__init__()
        Checker("PatchEmbed").ints(
            min_value=1, patch_size=patch_size, in_channels=in_channels, dim=dim
        )
        self.patch_size, self.in_channels = patch_size, in_channels
        self.proj = nn.Linear(patch_size * patch_size * in_channels, dim)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """images (Tensor[B, C, H, W]) -> Tensor[B, N, D], N = HW / P^2."""
        _check_images("PatchEmbed", images, self.in_channels, self.patch_size)
        return self.proj(patchify(images, self.patch_size))  # (B, N, D)


class MLP(nn.Module):
    """Two-layer GELU perceptron for every token (Dosovitskiy et al. 2021, Eq. 3).

    Args:
        dim: token width D (in and out).
        hidden: width of the hidden layer (ViT: 4D).
        dropout: drop probability after each layer, in [0, 1].
    """

    def __init__(self, dim: int, *, hidden: int, dropout: float = 0.0) -> None:
        super().__init__()
        check = Checker("MLP")
        check.ints(min_value=1, dim=dim, hidden=hidden)
        check.range("dropout", dropout, low=0.0, high=1.0)
        self.dim = dim
        self.net = nn.Sequential(
            nn.Linear(dim, hidden),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, dim),
            nn.Dropout(dropout),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (Tensor[..., D]): tokens (B, N, D) or a channels-last map (B, H, W, D)."""
        _check_tokens("MLP", x, self.dim, ndim=(2, 3, 4), dims="(..., D)")
        return self.net(x)  # (..., D)


class Block(nn.Module):
    """Pre-norm encoder layer: ``z = z + MSA(LN(z)); z = z + MLP(LN(z))`` (Eq. 2-3).

    Args:
        dim: token width D.
        heads: attention heads.
        mlp_ratio: MLP hidden width / D (> 0).
        dropout: dropout of the attention output and the MLP, in [0, 1].
        locality: locality self-attention (see :class:`MultiHeadAttention`).
    """

    def __init__(
        self,
        dim: int,
        *,
        heads: int = 4,
        mlp_ratio: float = 2.0,
        dropout: float = 0.0,
        locality: bool = False,
    ) -> None:
        super().__init__()
        hidden = _check_block_args("Block", dim, mlp_ratio)
        self.norm1 = nn.LayerNorm(dim)
        self.attn = MultiHeadAttention(
            dim, heads=heads, dropout=dropout, locality=locality
        )
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = MLP(dim, hidden=hidden, dropout=dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (Tensor[B, N, D]) -> Tensor[B, N, D], for any number of tokens N."""
        _check_tokens("Block", x, self.attn.dim, ndim=3, dims="(B, N, D)")
        x = x + self.attn(self.norm1(x))  # (B, N, D)
        return x + self.mlp(self.norm2(x))  # (B, N, D)


def _check_images(fn: str, images, channels: int, patch_size: int) -> None:
    """images: a float (B, C, H, W) batch with H and W divisible by P."""
    check = Checker(fn)
    check.tensor(
        "images", images, ndim=4, dims="(B, C, H, W)", floating=True, channels=channels
    )
    check.that(
        images.shape[-2] % patch_size == 0 and images.shape[-1] % patch_size == 0,
        f"images height and width must be divisible by patch_size={patch_size}, got "
        f"shape {tuple(images.shape)}",
    )


def _check_tokens(fn: str, x, dim: int, *, ndim, dims: str) -> None:
    """x: float tokens whose last dimension is the width D."""
    check = Checker(fn)
    check.tensor("x", x, ndim=ndim, dims=dims, floating=True)
    check.that(x.shape[-1] == dim, f"x must have width D={dim}, got {tuple(x.shape)}")


def _check_block_args(fn: str, dim, mlp_ratio) -> int:
    """dim >= 1 and a positive MLP ratio; return the MLP's hidden width."""
    check = Checker(fn)
    check.int("dim", dim, min_value=1)
    check.range("mlp_ratio", mlp_ratio, low=1e-6)
    hidden = int(dim * mlp_ratio)
    check.that(hidden >= 1, f"mlp_ratio * dim must be >= 1, got {mlp_ratio} * {dim}")
    return hidden

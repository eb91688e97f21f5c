"""Vision Transformer: an image is a sequence of 16x16 words (Dosovitskiy et al. 2021).

Built bottom-up: ``PatchEmbed`` (Eq. 1, patches → tokens) → ``MLP`` → ``Block``
(pre-norm encoder layer, Eq. 2-3, attention from ``scratchvision.ops.attention``) →
``ViT`` (CLS token, position embeddings, blocks, head on the CLS token, Eq. 4).

Inspection, the same in every model of the course:

- attention probabilities: ``with record_attention(model) as probs: model(x)`` gives one
  Tensor[B, h, 1+N, 1+N] per block (token 0 is CLS);
- ``model.features(x)``: the final patch tokens as a map Tensor[B, D, H/P, W/P];
- ``model.cam_layer``: the CAM / Grad-CAM target module, the last block's first
  LayerNorm. Unlike the CNNs' it outputs tokens Tensor[B, 1+N, D], not ``features(x)``;
  turn them into a map with ``model.tokens_to_map``. (After the last block only the CLS
  token reaches the head, so a later layer would give Grad-CAM zero gradients on every
  patch.)
- ``model.pos_embedding``: Tensor[1, 1+N, D], for the position-similarity figure
  (Fig. 7).

Taught in ``notebooks/01_cnn_vit/`` (ViT lesson).
"""

from __future__ import annotations

import torch
import torch.nn as nn
from einops import rearrange, repeat

from scratchvision.ops.attention import MultiHeadAttention
from scratchvision.ops.patches import patchify
from scratchvision.validate import check_choice, check_int, check_pair, check_tensor


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
        self.patch_size = check_int(
            "patch_size", patch_size, min_value=1, fn="PatchEmbed"
        )
        self.in_channels = check_int(
            "in_channels", in_channels, min_value=1, fn="PatchEmbed"
        )
        self.proj = nn.Linear(patch_size * patch_size * in_channels, dim)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """images (Tensor[B, C, H, W]) -> Tensor[B, N, D], N = HW / P^2."""
        check_tensor(
            "images",
            images,
            ndim=4,
            dims="(B, C, H, W)",
            floating=True,
            fn="PatchEmbed",
        )
        check_choice(
            "images.shape[1] (channels)",
            images.shape[1],
            [self.in_channels],
            fn="PatchEmbed",
        )
        return self.proj(patchify(images, self.patch_size))  # (B, N, D)


def sincos_2d(
    h: int, w: int, dim: int, *, temperature: float = 10000.0
) -> torch.Tensor:
    """Fixed 2-D sin-cos position embeddings (Vaswani et al. 2017, Sec. 3.5, per axis).

    Half of the channels encode the row, half the column, each as sines and cosines of
    ``pos * temperature^(-i / (dim / 4))`` (as in MAE and Beyer et al. 2022, "Better
    plain ViT").

    Returns:
        Tensor[h * w, dim], rows in row-major grid order.
    """
    check_int("dim", dim, min_value=4, fn="sincos_2d")
    if dim % 4:
        raise ValueError(f"sincos_2d: dim must be divisible by 4, got {dim}")
    y, x = torch.meshgrid(
        torch.arange(h), torch.arange(w), indexing="ij"
    )  # (h, w) each
    omega = temperature ** -(torch.arange(dim // 4) / (dim // 4))  # (D/4,)
    y = y.flatten()[:, None] * omega[None, :]  # (N, D/4)
    x = x.flatten()[:, None] * omega[None, :]  # (N, D/4)
    return torch.cat([y.sin(), y.cos(), x.sin(), x.cos()], dim=1)  # (N, D)


class MLP(nn.Module):
    """Two-layer GELU perceptron for every token (Dosovitskiy et al. 2021, Eq. 3)."""

    def __init__(self, dim: int, *, hidden: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(dim, hidden),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, dim),
            nn.Dropout(dropout),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)  # (B, N, D)


class Block(nn.Module):
    """Pre-norm encoder layer: ``z = z + MSA(LN(z)); z = z + MLP(LN(z))`` (Eq. 2-3)."""

    def __init__(
        self, dim: int, *, heads: int = 4, mlp_ratio: float = 2.0, dropout: float = 0.0
    ) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = MultiHeadAttention(dim, heads=heads, dropout=dropout)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = MLP(dim, hidden=int(dim * mlp_ratio), dropout=dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))  # (B, N, D)
        return x + self.mlp(self.norm2(x))  # (B, N, D)


class ViT(nn.Module):
    """Vision Transformer classifier (Dosovitskiy et al. 2021, Eq. 1-4).

    Args:
        image_size: side of the square input (or an (H, W) pair), divisible by
            ``patch_size``.
        patch_size: side P of a patch.
        in_channels, num_classes: input channels and output classes.
        dim, depth, heads, mlp_ratio, dropout: width D, number of blocks, heads per
            block, MLP hidden width / D, dropout.
        pos_embed: ``'learned'`` (the paper) or ``'sincos'`` (fixed, :func:`sincos_2d`).
        pool: classify from the ``'cls'`` token (the paper) or the ``'mean'`` patch
            token. The CLS token is there either way, so attention maps always have
            1 + N tokens.
    """

    def __init__(
        self,
        *,
        image_size: int | tuple[int, int] = 64,
        patch_size: int = 8,
        in_channels: int = 3,
        num_classes: int = 10,
        dim: int = 128,
        depth: int = 6,
        heads: int = 4,
        mlp_ratio: float = 2.0,
        dropout: float = 0.0,
        pos_embed: str = "learned",
        pool: str = "cls",
    ) -> None:
        super().__init__()
        fn = "ViT"
        height, width = check_pair("image_size", image_size, min_value=1, fn=fn)
        check_int("patch_size", patch_size, min_value=1, fn=fn)
        if height % patch_size or width % patch_size:
            raise ValueError(
                f"{fn}: image_size must be divisible by patch_size={patch_size}, got "
                f"{image_size!r}"
            )
        check_int("depth", depth, min_value=1, fn=fn)
        self.pool = check_choice("pool", pool, ("cls", "mean"), fn=fn)
        check_choice("pos_embed", pos_embed, ("learned", "sincos"), fn=fn)
        self.image_size, self.grid = (
            (height, width),
            (height // patch_size, width // patch_size),
        )
        n = self.grid[0] * self.grid[1]

        self.patch_embed = PatchEmbed(
            patch_size=patch_size, in_channels=in_channels, dim=dim
        )
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        if pos_embed == "learned":
            self.pos_embedding = nn.Parameter(0.02 * torch.randn(1, 1 + n, dim))
        else:  # the CLS token gets position 0 (MAE): it has no place in the grid
            fixed = torch.cat(
                [torch.zeros(1, dim), sincos_2d(*self.grid, dim)]
            )  # (1+N, D)
            self.register_buffer("pos_embedding", fixed[None])
        self.dropout = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(
            Block(dim, heads=heads, mlp_ratio=mlp_ratio, dropout=dropout)
            for _ in range(depth)
        )
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, num_classes)

    @property
    def cam_layer(self) -> nn.Module:
        """The CAM target: the last block's first LayerNorm.

        It outputs tokens (B, 1+N, D); see ``tokens_to_map``.
        """
        return self.blocks[-1].norm1

    def encode(self, images: torch.Tensor) -> torch.Tensor:
        """images (Tensor[B, C, H, W]) -> normalised tokens Tensor[B, 1+N, D].

        CLS is token 0.
        """
        check_tensor("images", images, ndim=4, dims="(B, C, H, W)", fn="ViT")
        if (
            tuple(images.shape[-2:]) != self.image_size
        ):  # the position embeddings fix the grid
            raise ValueError(
                f"ViT: images must be {self.image_size} (image_size), got "
                f"{tuple(images.shape)}"
            )
        x = self.patch_embed(images)  # (B, N, D)
        cls = repeat(self.cls_token, "1 1 d -> b 1 d", b=x.shape[0])  # (B, 1, D)
        x = torch.cat([cls, x], dim=1) + self.pos_embedding  # (B, 1+N, D)
        x = self.dropout(x)
        for block in self.blocks:
            x = block(x)  # (B, 1+N, D)
        return self.norm(x)  # (B, 1+N, D)

    def tokens_to_map(self, tokens: torch.Tensor) -> torch.Tensor:
        """Drop CLS and lay the patch tokens out on their grid.

        (B, 1+N, D) -> (B, D, H/P, W/P).
        """
        return rearrange(
            tokens[:, 1:], "b (h w) d -> b d h w", h=self.grid[0], w=self.grid[1]
        )

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """The last layer's patch tokens as a feature map Tensor[B, D, H/P, W/P]."""
        return self.tokens_to_map(self.encode(images))  # (B, D, h, w)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """images (Tensor[B, C, H, W]) -> logits Tensor[B, num_classes]."""
        x = self.encode(images)  # (B, 1+N, D)
        x = x[:, 0] if self.pool == "cls" else x[:, 1:].mean(dim=1)  # (B, D)
        return self.head(x)  # (B, num_classes)


def vit_tiny(**overrides) -> ViT:
    """A ViT for 64x64 images that trains in minutes on a CPU (0.15 M parameters).

    D=64, 4 blocks, 4 heads.
    """
    return ViT(**{"dim": 64, "depth": 4, "heads": 4, **overrides})


def vit_small(**overrides) -> ViT:
    """The default ViT, spelled out (0.8 M parameters).

    D=128, 6 blocks, 4 heads, MLP ratio 2.
    """
    return ViT(**{"dim": 128, "depth": 6, "heads": 4, "mlp_ratio": 2.0, **overrides})


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
    fn = "mean_attention_distance"
    check_tensor("probs", probs, ndim=4, dims="(B, h, N, N)", floating=True, fn=fn)
    gh, gw = check_pair("grid", grid, min_value=1, fn=fn)
    if probs.shape[-2:] != (gh * gw, gh * gw):
        raise ValueError(
            f"{fn}: probs must be (B, h, {gh * gw}, {gh * gw}) for grid {gh}x{gw} "
            f"(drop the CLS token first: probs[..., 1:, 1:]), got {tuple(probs.shape)}"
        )
    ys, xs = torch.meshgrid(torch.arange(gh), torch.arange(gw), indexing="ij")
    pos = (
        torch.stack([ys.flatten(), xs.flatten()], dim=1).to(probs) * patch_size
    )  # (N, 2)
    dist = torch.cdist(pos, pos)  # (N, N)
    probs = probs / probs.sum(dim=-1, keepdim=True)
    return (probs * dist).sum(dim=-1).mean(dim=(0, 2))  # (h,)

"""Swin Transformer: hierarchical ViT with shifted windows (Liu et al. 2021).

``Swin`` stacks stages of ``SwinBlock`` (window and shifted-window attention, Eq. 3)
ended by ``PatchMerging`` (2x2 tokens → one, width x2), a pyramid like a CNN's; the
blocks are in ``backbones/swin_blocks.py``, ``PatchEmbed`` is ViT's, from
``scratchvision.blocks``. ``msa_flops`` and ``wmsa_flops`` are the paper's cost
formulas (Eq. 1-2).

Maps travel channels-last between blocks, ``(B, H, W, C)``. Inspection as in every
backbone (see ``scratchvision.backbones``): ``record_attention(model)`` gives one
Tensor[B * nW, h, M*M, M*M] per block; ``stage_maps(images)`` one map (B, C_i, H_i,
W_i) per stage, taken before the patch merging that ends it; ``features(images)`` the
last one, after the final LayerNorm, which passes the ``cam_layer`` tap.

Taught in ``notebooks/01_cnn_vit/`` (Swin lesson); cost curve in ``backbones/cost.py``.
"""

from __future__ import annotations

import torch
import torch.nn as nn
from einops import rearrange

from scratchvision.backbones._checks import check_images
from scratchvision.backbones.swin_blocks import (
    PatchMerging,
    SwinBlock,
    WindowAttention,
    relative_position_index,
)
from scratchvision.blocks import FeatureTap
from scratchvision.blocks.tokenizers import TOKENIZERS
from scratchvision.validate import Checker

__all__ = [  # the blocks are re-exported: the Swin lesson imports them from here
    "PatchMerging",
    "Swin",
    "SwinBlock",
    "WindowAttention",
    "msa_flops",
    "relative_position_index",
    "swin_micro",
    "swin_tiny",
    "wmsa_flops",
]


def msa_flops(h: int, w: int, C: int) -> int:
    """Multiply-adds of global MSA on an h x w map: ``4hwC^2 + 2(hw)^2 C`` (Eq. 1)."""
    Checker("msa_flops").ints(min_value=1, h=h, w=w, C=C)
    return 4 * h * w * C**2 + 2 * (h * w) ** 2 * C


def wmsa_flops(h: int, w: int, C: int, M: int) -> int:
    """Multiply-adds of M x M window MSA on h x w: ``4hwC^2 + 2M^2 hwC`` (Eq. 2)."""
    Checker("wmsa_flops").ints(min_value=1, h=h, w=w, C=C, M=M)
    return 4 * h * w * C**2 + 2 * M**2 * h * w * C


class Swin(nn.Module):
    """Swin Transformer classifier (Liu et al. 2021, Fig. 3), sized for small images.

    Stage i works at width ``dim * 2^i`` with ``heads[i]`` heads and ``depths[i]``
    blocks that alternate regular and shifted windows. A stage whose map is not larger
    than ``window`` uses one window over the whole map and no shift (as the official
    code does). The head sees the mean of the last map (global average pooling).

    ``shifted=False`` keeps every window in place (no information crosses a window
    border) and ``relative_bias=False`` drops the relative position bias: the two
    ablations of Liu et al.'s Table 4. ``tokenizer`` is ViT's choice: ``'patch'``
    (the paper's linear patch embedding) or ``'conv'`` (a convolutional stem, Xiao et
    al. 2021), which is what lets this small Swin train on a few thousand scenes.
    """

    def __init__(
        self,
        *,
        image_size: int | tuple[int, int] = 64,
        patch_size: int = 4,
        in_channels: int = 3,
        num_classes: int = 10,
        dim: int = 48,
        depths: tuple[int, ...] = (2, 2, 2),
        heads: tuple[int, ...] = (2, 4, 8),
        window: int = 4,
        mlp_ratio: float = 2.0,
        shifted: bool = True,
        relative_bias: bool = True,
        tokenizer: str = "patch",
    ) -> None:
        super().__init__()
        Checker("Swin").choice("tokenizer", tokenizer, ("patch", "conv"))
        Checker("Swin").bool("shifted", shifted)
        Checker("Swin").bool("relative_bias", relative_bias)
        self.grid = _check_swin_args(
            image_size, patch_size, in_channels, num_classes, dim, depths, heads, window
        )
        self.image_size = (self.grid[0] * patch_size, self.grid[1] * patch_size)
        self.in_channels = in_channels
        self.patch_embed = TOKENIZERS[tokenizer](
            patch_size=patch_size, in_channels=in_channels, dim=dim
        )
        self.embed_norm = nn.LayerNorm(dim)
        self.stages = nn.ModuleList()
        res = self.grid
        for i, (depth, h) in enumerate(zip(depths, heads)):
            m = min(window, *res)
            Checker("Swin").that(
                res[0] % m == 0 and res[1] % m == 0,
                f"stage {i} map {res[0]}x{res[1]} is not divisible by window={window}",
            )
            shift = m // 2 if min(res) > m and shifted else 0
            blocks = [
                SwinBlock(
                    dim,
                    heads=h,
                    window=m,
                    shift=shift * (j % 2),
                    mlp_ratio=mlp_ratio,
                    relative_bias=relative_bias,
                )  # fmt: skip
                for j in range(depth)
            ]
            if i < len(depths) - 1:
                blocks.append(PatchMerging(dim))
                dim, res = 2 * dim, (res[0] // 2, res[1] // 2)
            self.stages.append(nn.Sequential(*blocks))
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, num_classes)
        self.feature_dim = dim
        self.cam_layer = FeatureTap()

    def stage_maps(self, images: torch.Tensor) -> list[torch.Tensor]:
        """images (Tensor[B, C, H, W]) -> one map (B, C_i, H_i, W_i) per stage.

        Each stage's map is taken before the patch merging that ends it; the last one,
        after the final LayerNorm, is ``features(images)``.
        """
        check_images("Swin", images, self.in_channels)
        _check_size(images, self.image_size)
        x = self.embed_norm(self.patch_embed(images))  # (B, N, D)
        x = rearrange(x, "b (h w) c -> b h w c", h=self.grid[0])  # (B, H/P, W/P, D)
        maps = []
        for stage in self.stages:
            for layer in stage:
                if isinstance(layer, PatchMerging):
                    maps.append(x)  # the stage's map, before merging halves it
                x = layer(x)  # (B, H_i, W_i, C_i)
        maps = [rearrange(m, "b h w c -> b c h w") for m in [*maps, self.norm(x)]]
        return [*maps[:-1], self.cam_layer(maps[-1])]

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """The last stage's map, normalised: Tensor[B, C', H', W']."""
        return self.stage_maps(images)[-1]  # (B, C', H', W')

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """images (Tensor[B, C, H, W]) -> logits Tensor[B, num_classes]."""
        x = self.features(images).mean(dim=(2, 3))  # (B, C')
        return self.head(x)  # (B, num_classes)


def swin_micro(**overrides) -> Swin:
    """A two-stage Swin for 32x32 images (0.1 M parameters).

    C=32, depths (2, 2), heads (2, 4), window 4, patch 2.
    """
    return Swin(
        **{
            "image_size": 32,
            "patch_size": 2,
            "dim": 32,
            "depths": (2, 2),
            "heads": (2, 4),
            **overrides,
        }
    )


def swin_tiny(**overrides) -> Swin:
    """Swin-T's deep third stage (depths 2-2-6) for 64x64 images (0.9 M parameters).

    C=32, patch 2, window 4.
    """
    return Swin(
        **{
            "patch_size": 2,
            "dim": 32,
            "depths": (2, 2, 6),
            "heads": (2, 4, 8),
            **overrides,
        }
    )


def _check_swin_args(
    image_size, patch_size, in_channels, num_classes, dim, depths, heads, window
) -> tuple[int, int]:
    """Sizes >= 1, one heads entry per stage, whole windows; return the patch grid."""
    check = Checker("Swin")
    height, width = check.pair("image_size", image_size, min_value=1)
    check.ints(min_value=1, patch_size=patch_size, window=window, dim=dim)
    check.ints(min_value=1, in_channels=in_channels, num_classes=num_classes)
    check.that(
        isinstance(depths, (tuple, list)) and len(depths) > 0,
        f"depths must be a non-empty tuple of ints, got {depths!r}",
    )
    check.that(
        isinstance(heads, (tuple, list)) and len(heads) == len(depths),
        f"heads must have one entry per stage (len(depths)={len(depths)}), got "
        f"{heads!r}",
    )
    for i, (d, h) in enumerate(zip(depths, heads)):
        check.int(f"depths[{i}]", d, min_value=1)
        check.int(f"heads[{i}]", h, min_value=1)
    scale = patch_size * 2 ** (len(depths) - 1)
    check.that(
        height % scale == 0 and width % scale == 0,
        f"image_size must be divisible by patch_size * 2^(stages-1) = {scale}, got "
        f"{image_size!r}",
    )
    return height // patch_size, width // patch_size


def _check_size(images, image_size) -> None:
    Checker("Swin").that(  # the stages' window grids are fixed at construction
        tuple(images.shape[-2:]) == image_size,
        f"images must be {image_size} (image_size), got {tuple(images.shape)}",
    )

"""Swin Transformer: hierarchical ViT with shifted windows (Liu et al. 2021).

Built bottom-up: ``relative_position_index`` → ``WindowAttention``
(``MultiHeadAttention`` from ``scratchvision.ops.attention`` plus a learned relative
position bias, Eq. 4) → ``SwinBlock`` (window or shifted-window attention, Eq. 3) →
``PatchMerging`` (2x2 tokens → one, width x2) → ``Swin`` (stages of blocks, a pyramid
like a CNN's).

Maps travel channels-last between blocks, ``(B, H, W, C)``. Inspection as in every
model: ``record_attention(model)`` gives one Tensor[B * nW, h, M*M, M*M] per block;
``model.features(x)`` the last stage's map Tensor[B, C, H', W']; ``model.cam_layer`` is
the final LayerNorm, whose (B, H', W', C) output ``model.tokens_to_map`` turns into
(B, C, H', W').

Taught in ``notebooks/01_cnn_vit/`` (Swin lesson); cost curve in ``backbones/cost.py``.
"""

from __future__ import annotations

import torch
import torch.nn as nn
from einops import rearrange, repeat

from scratchvision.backbones.vit import MLP, PatchEmbed
from scratchvision.ops.attention import MultiHeadAttention
from scratchvision.ops.windows import (
    cyclic_shift,
    shifted_window_mask,
    window_partition,
    window_reverse,
)
from scratchvision.validate import check_int, check_pair, check_tensor


def msa_flops(h: int, w: int, C: int) -> int:
    """Multiply-adds of global MSA on an h x w map: ``4hwC^2 + 2(hw)^2 C`` (Eq. 1)."""
    return 4 * h * w * C**2 + 2 * (h * w) ** 2 * C


def wmsa_flops(h: int, w: int, C: int, M: int) -> int:
    """Multiply-adds of M x M window MSA on h x w: ``4hwC^2 + 2M^2 hwC`` (Eq. 2)."""
    return 4 * h * w * C**2 + 2 * M**2 * h * w * C


def relative_position_index(window: int) -> torch.Tensor:
    """The bias-table row of each (query, key) pair of an M x M window (Sec. 3.2).

    The offset between two tokens is (dy, dx) with each in [-(M-1), M-1]; shifted to
    [0, 2M-2] and read as a number in base 2M-1, it indexes a table of (2M-1)^2 rows.

    Returns:
        LongTensor[M*M, M*M] with values in [0, (2M-1)^2).
    """
    check_int("window", window, min_value=1, fn="relative_position_index")
    ys, xs = torch.meshgrid(torch.arange(window), torch.arange(window), indexing="ij")
    coords = torch.stack([ys.flatten(), xs.flatten()])  # (2, M*M)
    offset = coords[:, :, None] - coords[:, None, :] + window - 1  # (2, M*M, M*M)
    return offset[0] * (2 * window - 1) + offset[1]  # (M*M, M*M)


class WindowAttention(nn.Module):
    """Attention inside each window, with a relative position bias (Eq. 4).

    ``softmax(QK^T/sqrt(d) + B)V``.
    """

    def __init__(self, dim: int, *, heads: int, window: int) -> None:
        super().__init__()
        self.window = window
        self.attn = MultiHeadAttention(dim, heads=heads)
        self.bias_table = nn.Parameter(0.02 * torch.randn((2 * window - 1) ** 2, heads))
        self.register_buffer(
            "relative_position_index", relative_position_index(window), persistent=False
        )

    def forward(
        self, windows: torch.Tensor, *, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        """windows (Tensor[B*nW, M*M, C]) -> Tensor[B*nW, M*M, C].

        ``mask`` (BoolTensor[nW, M*M, M*M]) is the same for every image.
        """
        bias = self.bias_table[self.relative_position_index]  # (M*M, M*M, h)
        bias = rearrange(bias, "n m h -> h n m")  # (h, M*M, M*M), same for every window
        if (
            mask is not None
        ):  # windows are image-major, so image b's windows repeat the mask
            mask = repeat(
                mask, "w n m -> (b w) 1 n m", b=windows.shape[0] // mask.shape[0]
            )
        return self.attn(windows, mask=mask, bias=bias)  # (B*nW, M*M, C)


class SwinBlock(nn.Module):
    """A Swin block (Eq. 3): (shifted-)window attention, then an MLP.

    ``z = z + (S)W-MSA(LN(z)); z = z + MLP(LN(z))`` with windows shifted by ``shift``.
    """

    def __init__(
        self,
        dim: int,
        *,
        heads: int,
        window: int = 4,
        shift: int = 0,
        mlp_ratio: float = 2.0,
    ) -> None:
        super().__init__()
        if not 0 <= shift < window:
            raise ValueError(
                f"SwinBlock: shift must be in [0, window={window}), got {shift}"
            )
        self.window, self.shift = window, shift
        self.norm1 = nn.LayerNorm(dim)
        self.attn = WindowAttention(dim, heads=heads, window=window)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = MLP(dim, hidden=int(dim * mlp_ratio))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (Tensor[B, H, W, C]) -> Tensor[B, H, W, C]."""
        _, H, W, _ = x.shape
        y = cyclic_shift(self.norm1(x), self.shift)  # (B, H, W, C)
        mask = (
            shifted_window_mask(H, W, self.window, self.shift).to(x.device)
            if self.shift
            else None
        )
        y = self.attn(window_partition(y, self.window), mask=mask)  # (B*nW, M*M, C)
        y = cyclic_shift(
            window_reverse(y, self.window, H, W), -self.shift
        )  # (B, H, W, C)
        x = x + y
        return x + self.mlp(self.norm2(x))  # (B, H, W, C)


class PatchMerging(nn.Module):
    """Patch merging: half the resolution, twice the width.

    Concatenate each 2x2 group of tokens and project 4C → 2C.
    """

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(4 * dim)
        self.reduce = nn.Linear(4 * dim, 2 * dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (Tensor[B, H, W, C]) -> Tensor[B, H/2, W/2, 2C]."""
        x = rearrange(
            x, "b (h p1) (w p2) c -> b h w (p1 p2 c)", p1=2, p2=2
        )  # (B, H/2, W/2, 4C)
        return self.reduce(self.norm(x))  # (B, H/2, W/2, 2C)


class Swin(nn.Module):
    """Swin Transformer classifier (Liu et al. 2021, Fig. 3), sized for small images.

    Stage i works at width ``dim * 2^i`` with ``heads[i]`` heads and ``depths[i]``
    blocks that alternate regular and shifted windows. A stage whose map is not larger
    than ``window`` uses one window over the whole map and no shift (as the official
    code does).
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
    ) -> None:
        super().__init__()
        fn = "Swin"
        height, width = check_pair("image_size", image_size, min_value=1, fn=fn)
        check_int("patch_size", patch_size, min_value=1, fn=fn)
        check_int("window", window, min_value=1, fn=fn)
        if len(heads) != len(depths):
            raise ValueError(
                f"{fn}: heads must have one entry per stage "
                f"(len(depths)={len(depths)}), got {heads!r}"
            )
        scale = patch_size * 2 ** (len(depths) - 1)
        if height % scale or width % scale:
            raise ValueError(
                f"{fn}: image_size must be divisible by patch_size * 2^(stages-1) = "
                f"{scale}, got {image_size!r}"
            )
        self.patch_embed = PatchEmbed(
            patch_size=patch_size, in_channels=in_channels, dim=dim
        )
        self.embed_norm = nn.LayerNorm(dim)
        self.image_size, self.grid = (
            (height, width),
            (height // patch_size, width // patch_size),
        )
        self.stages = nn.ModuleList()
        res = self.grid
        for i, (depth, h) in enumerate(zip(depths, heads)):
            m = min(window, *res)
            if res[0] % m or res[1] % m:
                raise ValueError(
                    f"{fn}: stage {i} map {res[0]}x{res[1]} is not divisible by "
                    f"window={window}"
                )
            shift = m // 2 if min(res) > m else 0
            blocks = [
                SwinBlock(
                    dim, heads=h, window=m, shift=shift * (j % 2), mlp_ratio=mlp_ratio
                )
                for j in range(depth)
            ]
            if i < len(depths) - 1:
                blocks.append(PatchMerging(dim))
                dim, res = 2 * dim, (res[0] // 2, res[1] // 2)
            self.stages.append(nn.Sequential(*blocks))
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, num_classes)

    @property
    def cam_layer(self) -> nn.Module:
        """The CAM target: the final LayerNorm.

        Its output is channels-last, (B, H', W', C'); see ``tokens_to_map``.
        """
        return self.norm

    def encode(self, images: torch.Tensor) -> torch.Tensor:
        """images (Tensor[B, C, H, W]) -> last-stage map Tensor[B, H', W', C'].

        Normalised by the final LayerNorm.
        """
        check_tensor("images", images, ndim=4, dims="(B, C, H, W)", fn="Swin")
        if (
            tuple(images.shape[-2:]) != self.image_size
        ):  # the stages' window grids are fixed
            raise ValueError(
                f"Swin: images must be {self.image_size} (image_size), got "
                f"{tuple(images.shape)}"
            )
        x = self.embed_norm(self.patch_embed(images))  # (B, N, D)
        x = rearrange(x, "b (h w) c -> b h w c", h=self.grid[0])  # (B, H/P, W/P, D)
        for stage in self.stages:
            x = stage(x)  # (B, H', W', C')
        return self.norm(x)  # (B, H', W', C')

    def tokens_to_map(self, x: torch.Tensor) -> torch.Tensor:
        """Channels-last tokens (B, H', W', C') -> feature map (B, C', H', W')."""
        return rearrange(x, "b h w c -> b c h w")

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """The last stage's feature map Tensor[B, C', H', W']."""
        return self.tokens_to_map(self.encode(images))  # (B, C', H', W')

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """images (Tensor[B, C, H, W]) -> logits Tensor[B, num_classes].

        The head sees the mean of the last map.
        """
        x = self.encode(images).mean(dim=(1, 2))  # (B, C')
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

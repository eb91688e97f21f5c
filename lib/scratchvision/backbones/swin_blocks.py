"""The blocks of a Swin Transformer: window attention, Swin block, patch merging.

Liu et al. 2021, bottom-up: ``relative_position_index`` (which learned bias each pair
of tokens in a window reads, Sec. 3.2) → ``WindowAttention``
(:class:`~scratchvision.blocks.MultiHeadAttention` plus that bias, Eq. 4) →
``SwinBlock`` (window or shifted-window attention and an MLP, Eq. 3) →
``PatchMerging`` (2x2 tokens → one, width x2). ``Swin`` (``backbones/swin.py``) stacks
them; until a second model uses them they live next to it, not in ``blocks/``.

Maps travel channels-last, ``(B, H, W, C)``, as tokens do.

Taught in ``notebooks/01_cnn_vit/04_swin.ipynb``.
"""

from __future__ import annotations

import torch
import torch.nn as nn
from einops import rearrange, repeat

from scratchvision.blocks import MLP, MultiHeadAttention
from scratchvision.ops.windows import (
    cyclic_shift,
    shifted_window_mask,
    window_partition,
    window_reverse,
)
from scratchvision.validate import Checker


def relative_position_index(window: int) -> torch.Tensor:
    """The bias-table row of each (query, key) pair of an M x M window (Sec. 3.2).

    The offset between two tokens is (dy, dx) with each in [-(M-1), M-1]; shifted to
    [0, 2M-2] and read as a number in base 2M-1, it indexes a table of (2M-1)^2 rows.

    Returns:
        LongTensor[M*M, M*M] with values in [0, (2M-1)^2).
    """
    Checker("relative_position_index").int("window", window, min_value=1)
    ys, xs = torch.meshgrid(torch.arange(window), torch.arange(window), indexing="ij")
    coords = torch.stack([ys.flatten(), xs.flatten()])  # (2, M*M)
    offset = coords[:, :, None] - coords[:, None, :] + window - 1  # (2, M*M, M*M)
    return offset[0] * (2 * window - 1) + offset[1]  # (M*M, M*M)


class WindowAttention(nn.Module):
    """Attention inside each window, with a relative position bias (Eq. 4).

    ``softmax(QK^T/sqrt(d) + B)V``.
    """

    def __init__(
        self, dim: int, *, heads: int, window: int, relative_bias: bool = True
    ) -> None:
        super().__init__()
        check = Checker("WindowAttention")
        check.ints(min_value=1, dim=dim, heads=heads, window=window)
        check.bool("relative_bias", relative_bias)
        self.window = window
        self.attn = MultiHeadAttention(dim, heads=heads)
        table = 0.02 * torch.randn((2 * window - 1) ** 2, heads)
        # without the bias the table stays, all zeros and frozen: checkpoints keep keys
        self.bias_table = nn.Parameter(
            table if relative_bias else torch.zeros_like(table),
            requires_grad=relative_bias,
        )
        self.register_buffer(
            "relative_position_index", relative_position_index(window), persistent=False
        )

    def forward(
        self, windows: torch.Tensor, *, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        """windows (Tensor[B*nW, M*M, C]) -> Tensor[B*nW, M*M, C].

        ``mask`` (BoolTensor[nW, M*M, M*M]) is the same for every image.
        """
        _check_windows(windows, mask, self.window, self.attn.dim)
        bias = self.bias_table[self.relative_position_index]  # (M*M, M*M, h)
        bias = rearrange(bias, "n m h -> h n m")  # (h, M*M, M*M), same for every window
        if mask is not None:  # windows are image-major: image b's windows repeat it
            b = windows.shape[0] // mask.shape[0]
            mask = repeat(mask, "w n m -> (b w) 1 n m", b=b)  # (B*nW, 1, M*M, M*M)
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
        relative_bias: bool = True,
    ) -> None:
        super().__init__()
        hidden = _check_block_args(dim, heads, window, shift, mlp_ratio)
        self.window, self.shift, self.dim = window, shift, dim
        self.norm1 = nn.LayerNorm(dim)
        self.attn = WindowAttention(
            dim, heads=heads, window=window, relative_bias=relative_bias
        )
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = MLP(dim, hidden=hidden)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (Tensor[B, H, W, C]) -> Tensor[B, H, W, C], H and W divisible by M."""
        _check_map("SwinBlock", x, self.dim, self.window)
        _, H, W, _ = x.shape
        y = cyclic_shift(self.norm1(x), self.shift)  # (B, H, W, C)
        mask = None
        if self.shift:
            mask = shifted_window_mask(H, W, self.window, self.shift).to(x.device)
        y = self.attn(window_partition(y, self.window), mask=mask)  # (B*nW, M*M, C)
        y = cyclic_shift(window_reverse(y, self.window, H, W), -self.shift)
        x = x + y  # (B, H, W, C)
        return x + self.mlp(self.norm2(x))  # (B, H, W, C)


class PatchMerging(nn.Module):
    """Patch merging: half the resolution, twice the width.

    Concatenate each 2x2 group of tokens and project 4C → 2C.
    """

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.dim = Checker("PatchMerging").int("dim", dim, min_value=1)
        self.norm = nn.LayerNorm(4 * dim)
        self.reduce = nn.Linear(4 * dim, 2 * dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (Tensor[B, H, W, C]) -> Tensor[B, H/2, W/2, 2C], H and W even."""
        _check_map("PatchMerging", x, self.dim, 2)
        x = rearrange(
            x, "b (h p1) (w p2) c -> b h w (p1 p2 c)", p1=2, p2=2
        )  # (B, H/2, W/2, 4C)
        return self.reduce(self.norm(x))  # (B, H/2, W/2, 2C)


def _check_windows(windows, mask, window: int, dim: int) -> None:
    check = Checker("WindowAttention")
    check.tensor("windows", windows, ndim=3, dims="(B*nW, M*M, C)", floating=True)
    check.that(
        tuple(windows.shape[1:]) == (window * window, dim),
        f"windows must be (B*nW, {window * window}, {dim}), got {tuple(windows.shape)}",
    )
    if mask is not None:
        check.tensor("mask", mask, ndim=3, dims="(nW, M*M, M*M)", dtype=torch.bool)
        check.that(
            windows.shape[0] % max(mask.shape[0], 1) == 0,
            f"mask must have one entry per window of an image, got {mask.shape[0]} "
            f"for {windows.shape[0]} windows",
        )


def _check_map(fn: str, x, dim: int, multiple: int) -> None:
    """x: a channels-last float map (B, H, W, C), H and W divisible by ``multiple``."""
    check = Checker(fn)
    check.tensor("x", x, ndim=4, dims="(B, H, W, C)", floating=True)
    check.that(
        x.shape[-1] == dim
        and x.shape[1] % multiple == 0
        and x.shape[2] % multiple == 0,
        f"x must be (B, H, W, {dim}) with H and W divisible by {multiple}, got "
        f"{tuple(x.shape)}",
    )


def _check_block_args(dim, heads, window, shift, mlp_ratio) -> int:
    """Sizes >= 1, 0 <= shift < window; return the MLP's hidden width."""
    check = Checker("SwinBlock")
    check.ints(min_value=1, dim=dim, heads=heads, window=window)
    check.int("shift", shift, min_value=0)
    check.that(shift < window, f"shift must be in [0, window={window}), got {shift}")
    check.range("mlp_ratio", mlp_ratio, low=1e-6)
    check.that(dim % heads == 0, f"dim must be divisible by heads, got {dim}, {heads}")
    return max(1, int(dim * mlp_ratio))

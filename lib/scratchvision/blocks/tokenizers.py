"""Two published fixes for ViTs trained on small data: better tokens from the start.

A plain ViT turns each P x P patch into a token with one linear map (``PatchEmbed``):
no notion of a neighbourhood, nothing shared across patch borders. On a few thousand
images it learns slowly. Both fixes here change only the tokenizer, so they drop into
the same ViT and return tokens of the same shape, Tensor[B, N, D]:

- :class:`ConvStem` (Xiao et al. 2021, "Early convolutions help transformers see
  better", Sec. 3): a few stride-2 3x3 convolutions with BatchNorm and ReLU, then a
  1x1 projection, instead of the one P x P linear map.
- :class:`ShiftedPatchTokenizer` (Lee et al. 2021, "Vision transformer for small-size
  datasets", Eq. 3-4): the image and four copies shifted by half a patch along the
  diagonals, stacked as channels, then patchified: each token sees past its borders.

The other half of Lee et al.'s fix, locality self-attention (a learned temperature and
no attention to oneself), is ``MultiHeadAttention(..., locality=True)``.

Taught in ``notebooks/01_cnn_vit/03_vit.ipynb``.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from scratchvision.blocks.transformer import PatchEmbed, _check_images
from scratchvision.ops.patches import patchify
from scratchvision.validate import Checker


class ConvStem(nn.Module):
    """log2(P) stride-2 conv-BN-ReLU layers, then a 1x1 conv to width D.

    Args:
        patch_size: P, a power of two: the stem downsamples by P, like a P x P patch.
        in_channels: image channels C.
        dim: token width D; the convolutions widen to D/2^k along the way.
    """

    def __init__(self, *, patch_size: int = 8, in_channels: int = 3, dim: int = 64):
        super().__init__()
        layers = _check_stem_args(patch_size, in_channels, dim)
        self.patch_size, self.in_channels = patch_size, in_channels
        widths = [in_channels] + [max(dim >> (layers - i), 8) for i in range(layers)]
        body = []
        for c_in, c_out in zip(widths, widths[1:]):
            body += [
                nn.Conv2d(c_in, c_out, 3, stride=2, padding=1, bias=False),
                nn.BatchNorm2d(c_out),
                nn.ReLU(inplace=True),
            ]  # each halves H and W
        self.body = nn.Sequential(*body, nn.Conv2d(widths[-1], dim, 1))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """images (Tensor[B, C, H, W]) -> tokens Tensor[B, HW / P^2, D]."""
        _check_images("ConvStem", images, self.in_channels, self.patch_size)
        x = self.body(images)  # (B, D, H/P, W/P)
        return x.flatten(2).transpose(1, 2)  # (B, N, D)


class ShiftedPatchTokenizer(nn.Module):
    """Shifted patch tokenization: [x, 4 diagonal shifts] -> patches -> LN -> linear.

    Args:
        patch_size: side P of a patch; the shifts are P // 2 pixels.
        in_channels: image channels C (the patches have 5 C P^2 values).
        dim: token width D.
    """

    def __init__(self, *, patch_size: int = 8, in_channels: int = 3, dim: int = 64):
        super().__init__()
        Checker("ShiftedPatchTokenizer").ints(
            min_value=1, patch_size=patch_size, in_channels=in_channels, dim=dim
        )
        self.patch_size, self.in_channels = patch_size, in_channels
        width = 5 * in_channels * patch_size**2
        self.norm = nn.LayerNorm(width)
        self.proj = nn.Linear(width, dim)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """images (Tensor[B, C, H, W]) -> tokens Tensor[B, HW / P^2, D]."""
        _check_images(
            "ShiftedPatchTokenizer", images, self.in_channels, self.patch_size
        )
        s = self.patch_size // 2
        shifted = [images] + [
            _shift(images, dx, dy) for dx, dy in ((-s, -s), (s, -s), (-s, s), (s, s))
        ]
        x = patchify(torch.cat(shifted, dim=1), self.patch_size)  # (B, N, 5 C P^2)
        return self.proj(self.norm(x))  # (B, N, D)


def _shift(images: torch.Tensor, dx: int, dy: int) -> torch.Tensor:
    """Translate by (dx, dy) pixels, filling with zeros (Lee et al.'s Fig. 2)."""
    padded = F.pad(images, (abs(dx), abs(dx), abs(dy), abs(dy)))
    h, w = images.shape[-2:]
    top, left = abs(dy) - dy, abs(dx) - dx
    return padded[..., top : top + h, left : left + w]  # (B, C, H, W)


def _check_stem_args(patch_size, in_channels, dim) -> int:
    check = Checker("ConvStem")
    check.ints(min_value=1, patch_size=patch_size, in_channels=in_channels, dim=dim)
    layers = round(math.log2(patch_size))
    check.that(
        patch_size >= 2 and 2**layers == patch_size,
        f"patch_size must be a power of two >= 2, got {patch_size}",
    )
    return layers


TOKENIZERS = {  # a backbone's ``tokenizer=`` choice; each maps images to (B, N, D)
    "patch": PatchEmbed,
    "conv": ConvStem,
    "shifted": ShiftedPatchTokenizer,
}

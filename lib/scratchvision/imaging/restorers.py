"""Two small restorers: a residual denoiser (DnCNN) and a pixel-shuffle super-resolver.

``ResidualDenoiser`` predicts the *noise*, not the clean image, and subtracts it
(Zhang et al. 2017, "Beyond a Gaussian denoiser: residual learning of deep CNN for image
denoising"). Noise is simpler than an image, so the residual is easier to learn.

Both nets start from their baseline: the layer that outputs the residual (the noise, the
missing detail) is initialised to zero, so an untrained denoiser is the identity and an
untrained super-resolver is bicubic upsampling (the zero-init trick of Goyal et al. 2017
and Zhang et al. 2019, "Fixup"). In the one-batch tests this is the difference between
beating the baseline several times over within 100 Adam steps and not reaching it.

``PixelShuffleSR`` computes all its features at low resolution and only at the end turns
``C * r^2`` channels into an ``r``-times larger image by moving channels into space
(Shi et al. 2016, "Real-time single image and video super-resolution using an efficient
sub-pixel convolutional neural network" (ESPCN), Sec. 2.2), with the residual blocks of
EDSR (Lim et al. 2017, "Enhanced deep residual networks for single image
super-resolution", Fig. 2-3, without batch norm) in between.

Taught in the chapter 5 notebooks (``notebooks/05_imaging/``).
"""

from __future__ import annotations

import torch
import torch.nn as nn
from einops import rearrange

from scratchvision.imaging.degrade import bicubic_upsample
from scratchvision.validate import check_choice, check_int, check_tensor


def pixel_shuffle(x: torch.Tensor, r: int) -> torch.Tensor:
    """Rearrange ``C * r^2`` channels into an ``r``-times larger image (ESPCN, Eq. 4).

    ``out[b, c, h * r + i, w * r + j] = x[b, c * r^2 + i * r + j, h, w]``: the ``r^2``
    channels of one low-resolution pixel become an ``r x r`` block of high-resolution
    pixels. Same result as ``torch.nn.functional.pixel_shuffle``. (The paper's Eq. 4
    orders the ``r^2`` sub-pixels and the ``C`` colours the other way round; that only
    permutes the filters of the convolution before it.)

    Args:
        x (Tensor[B, C * r^2, H, W]).
        r: the upscaling factor.

    Returns:
        Tensor[B, C, H * r, W * r].
    """
    fn = "pixel_shuffle"
    check_tensor("x", x, ndim=4, dims="(B, C * r^2, H, W)", fn=fn)
    check_int("r", r, min_value=1, fn=fn)
    if x.shape[1] % (r * r):
        raise ValueError(
            f"{fn}: x channels must be divisible by r^2 = {r * r}, got shape "
            f"{tuple(x.shape)}"
        )
    return rearrange(
        x, "b (c r1 r2) h w -> b c (h r1) (w r2)", r1=r, r2=r
    )  # (B, C, H*r, W*r)


def pixel_unshuffle(x: torch.Tensor, r: int) -> torch.Tensor:
    """Inverse of :func:`pixel_shuffle`: each ``r x r`` block becomes ``r^2`` channels.

    Args:
        x (Tensor[B, C, H * r, W * r]).
        r: the downscaling factor; must divide H and W.

    Returns:
        Tensor[B, C * r^2, H, W].
    """
    fn = "pixel_unshuffle"
    check_tensor("x", x, ndim=4, dims="(B, C, H * r, W * r)", fn=fn)
    check_int("r", r, min_value=1, fn=fn)
    if x.shape[-2] % r or x.shape[-1] % r:
        raise ValueError(
            f"{fn}: x height and width must be divisible by r={r}, got shape "
            f"{tuple(x.shape)}"
        )
    return rearrange(
        x, "b c (h r1) (w r2) -> b (c r1 r2) h w", r1=r, r2=r
    )  # (B, C*r^2, H, W)


class ResidualDenoiser(nn.Module):
    """DnCNN: a conv-BN-ReLU stack that predicts the noise; output = input - noise.

    Zhang et al. 2017, Sec. III-A and Eq. 1: with ``y = x + v``, the net ``R`` is
    trained so that ``R(y) ~ v`` and the estimate is ``x_hat = y - R(y)``. The first
    layer has no batch norm and the last is a plain convolution, as in their Fig. 1;
    here it starts at zero, so the untrained net returns its input. Minimising
    ``||forward(y) - x||^2`` is exactly their loss ``||R(y) - (y - x)||^2``.

    Args:
        channels: image channels C.
        width: channels D of the hidden layers (64 in the paper).
        depth: number of convolutions (17 in the paper), at least 2.
    """

    def __init__(self, *, channels: int = 3, width: int = 32, depth: int = 8) -> None:
        super().__init__()
        fn = "ResidualDenoiser"
        self.channels = check_int("channels", channels, min_value=1, fn=fn)
        check_int("width", width, min_value=1, fn=fn)
        check_int("depth", depth, min_value=2, fn=fn)
        layers = [nn.Conv2d(channels, width, 3, padding=1), nn.ReLU(inplace=True)]
        for _ in range(depth - 2):
            layers += [
                nn.Conv2d(width, width, 3, padding=1, bias=False),
                nn.BatchNorm2d(width),
                nn.ReLU(inplace=True),
            ]
        layers.append(_zero_init(nn.Conv2d(width, channels, 3, padding=1)))
        self.noise = nn.Sequential(*layers)  # R(y): the noise estimator

    def forward(self, noisy: torch.Tensor) -> torch.Tensor:
        """Denoise.

        Args:
            noisy (Tensor[B, C, H, W]): the noisy images ``y``.

        Returns:
            Tensor[B, C, H, W]: ``y - R(y)``; ``self.noise(y)`` is the predicted noise.
        """
        check_tensor(
            "noisy",
            noisy,
            ndim=4,
            dims="(B, C, H, W)",
            floating=True,
            channels=self.channels,
            finite=True,
            fn="ResidualDenoiser.forward",
        )
        return noisy - self.noise(noisy)


class ResBlock(nn.Module):
    """EDSR residual block (Lim et al. 2017, Fig. 2c): ``x + conv(relu(conv(x)))``.

    No batch norm.
    """

    def __init__(self, width: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(width, width, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(width, width, 3, padding=1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class PixelShuffleSR(nn.Module):
    """Super-resolution: residual blocks at low resolution, then conv -> pixel shuffle.

    ``SR(y) = bicubic_r(y) + shuffle_r(conv(body(y)))``. The global skip through bicubic
    upsampling (as in VDSR, Kim et al. 2016) means the net only adds the high-frequency
    detail that interpolation cannot recover. The skip is ``degrade.bicubic_upsample``,
    the baseline the chapter measures; the last conv starts at zero, so the untrained
    net reproduces that baseline exactly. The detail is not clamped (that would stop its
    gradients), so clamp the output to [0, 1] for display and metrics.

    Args:
        scale: the upscaling factor r, one of 2, 3, 4 (a single shuffle, as in ESPCN).
        channels: image channels C.
        width: feature channels D.
        n_blocks: number of ``ResBlock`` s.
    """

    def __init__(
        self, *, scale: int = 2, channels: int = 3, width: int = 32, n_blocks: int = 4
    ) -> None:
        super().__init__()
        fn = "PixelShuffleSR"
        self.scale = check_choice(
            "scale", check_int("scale", scale, fn=fn), (2, 3, 4), fn=fn
        )
        self.channels = check_int("channels", channels, min_value=1, fn=fn)
        check_int("width", width, min_value=1, fn=fn)
        check_int("n_blocks", n_blocks, min_value=0, fn=fn)
        self.head = nn.Conv2d(channels, width, 3, padding=1)
        self.body = nn.Sequential(
            *(ResBlock(width) for _ in range(n_blocks)),
            nn.Conv2d(width, width, 3, padding=1),
        )
        self.to_subpixels = _zero_init(
            nn.Conv2d(width, channels * scale**2, 3, padding=1)
        )

    def forward(self, low_res: torch.Tensor) -> torch.Tensor:
        """Upscale.

        Args:
            low_res (Tensor[B, C, H, W]): the small images.

        Returns:
            Tensor[B, C, H * scale, W * scale].
        """
        check_tensor(
            "low_res",
            low_res,
            ndim=4,
            dims="(B, C, H, W)",
            floating=True,
            channels=self.channels,
            finite=True,
            fn="PixelShuffleSR.forward",
        )
        h = self.head(low_res)  # (B, D, H, W)
        h = h + self.body(h)  # (B, D, H, W): EDSR's long skip over all blocks
        detail = pixel_shuffle(self.to_subpixels(h), self.scale)  # (B, C, H*r, W*r)
        return bicubic_upsample(low_res, self.scale) + detail  # (B, C, H*r, W*r)


def denoiser_small() -> ResidualDenoiser:
    """DnCNN for CPU training: 8 layers of width 32 (the paper: 17 of width 64)."""
    return ResidualDenoiser(channels=3, width=32, depth=8)


def sr_small(scale: int = 2) -> PixelShuffleSR:
    """Pixel-shuffle SR for CPU training: 4 residual blocks of width 32."""
    return PixelShuffleSR(scale=scale, channels=3, width=32, n_blocks=4)


def _zero_init(conv: nn.Conv2d) -> nn.Conv2d:
    nn.init.zeros_(conv.weight)
    nn.init.zeros_(conv.bias)
    return conv

"""Multi-scale restoration with U-Nets; the U-Net itself lives in ``blocks/unet.py``.

``UNet`` (Ronneberger et al. 2015) is shared with segmentation, so it is a block:
:class:`scratchvision.blocks.UNet`, re-exported here so that
``from scratchvision.imaging import UNet`` and the zoo's ``imaging.unet:UNet`` cards
keep working.

``MultiScaleUNet`` runs one U-Net per scale, coarsest first; each finer scale sees the
image at its scale next to the upsampled result of the scale below (Nah et al. 2017,
"Deep multi-scale convolutional neural network for dynamic scene deblurring", Sec. 3,
Fig. 4).

Taught in the chapter 5 notebooks (``notebooks/05_imaging/``).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from scratchvision.blocks.unet import UNet
from scratchvision.validate import check_int, check_tensor

__all__ = [
    "MultiScaleUNet",
    "UNet",
    "image_pyramid",
    "multiscale_unet_small",
    "unet_small",
]


class MultiScaleUNet(nn.Module):
    """Coarse-to-fine restoration at scales 1/2^(n-1), ..., 1/2, 1 (Nah et al., Fig. 4).

    Scale ``k`` gets the input image at that scale, ``y_k``, and (except the coarsest)
    the upsampled estimate of the scale below; its residual U-Net corrects ``y_k``:
    ``x_k = y_k + f_k([y_k, up(x_{k-1})])``. Each scale has its own weights, as in
    Nah et al.; where they use a Gaussian pyramid and a learned up-convolution, we use
    ``image_pyramid`` and bilinear upsampling. Train it with ``losses.multiscale_loss``,
    which scores every scale, so the coarse scales learn to be sharp too.

    Args:
        channels: channels C of the images.
        widths: the widths of every scale's U-Net; shallower than ``UNet``'s default, as
            the coarse scales already give the fine ones a wide context.
        n_scales: number of scales (3 in Nah et al.).
        skips: passed to every ``UNet``.
    """

    def __init__(
        self,
        *,
        channels: int = 3,
        widths: Sequence[int] = (16, 32),
        n_scales: int = 3,
        skips: bool = True,
    ) -> None:
        super().__init__()
        fn = "MultiScaleUNet"
        self.channels = check_int("channels", channels, min_value=1, fn=fn)
        self.n_scales = check_int("n_scales", n_scales, min_value=1, fn=fn)
        self.scales = nn.ModuleList(
            UNet(
                in_channels=channels * (1 if k == 0 else 2),
                out_channels=channels,
                widths=widths,
                residual=True,
                skips=skips,
            )
            for k in range(n_scales)
        )

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Restore a batch at every scale.

        Args:
            x (Tensor[B, C, H, W]): the degraded images,
                ``H, W >= 2 ** (n_scales - 1)``.

        Returns:
            list of ``n_scales`` Tensor[B, C, H / 2^k, W / 2^k], coarsest first; the
            last is the full-resolution result.
        """
        check_tensor(
            "x",
            x,
            ndim=4,
            dims="(B, C, H, W)",
            floating=True,
            channels=self.channels,
            fn="MultiScaleUNet.forward",
        )
        outputs: list[torch.Tensor] = []
        for net, image in zip(self.scales, image_pyramid(x, n_scales=self.n_scales)):
            inputs = image
            if outputs:
                previous = _resize(outputs[-1], image.shape[-2:])  # (B, C, h, w)
                inputs = torch.cat(
                    [image, previous], dim=1
                )  # (B, 2C, h, w): the image first, corrected
            outputs.append(net(inputs))  # (B, C, h, w)
        return outputs


def image_pyramid(image: torch.Tensor, *, n_scales: int) -> list[torch.Tensor]:
    """The image at sizes ``(H // 2^k, W // 2^k)``, coarsest first.

    ``k`` runs from ``n_scales - 1`` down to 0.

    Downsampling is bilinear with antialiasing (a low-pass filter before sampling), so
    the small images do not alias. ``losses.multiscale_loss`` builds its targets with
    it.

    Args:
        image (Tensor[B, C, H, W]): with ``H, W >= 2 ** (n_scales - 1)``.

    Returns:
        list of ``n_scales`` Tensor[B, C, H // 2^k, W // 2^k]; the last one is
        ``image``.
    """
    fn = "image_pyramid"
    check_tensor("image", image, ndim=4, dims="(B, C, H, W)", floating=True, fn=fn)
    check_int("n_scales", n_scales, min_value=1, fn=fn)
    height, width = image.shape[-2:]
    if min(height, width) >> (n_scales - 1) < 1:
        raise ValueError(
            f"{fn}: image height and width must be >= 2 ** (n_scales - 1) = "
            f"{2 ** (n_scales - 1)}, got shape {tuple(image.shape)}"
        )
    smaller = [
        _resize(image, (height >> k, width >> k)) for k in range(n_scales - 1, 0, -1)
    ]
    return [*smaller, image]


def unet_small() -> UNet:
    """A restoration U-Net for 48-96 px crops on a CPU (~0.12 M parameters).

    Widths (16, 32, 64), residual.
    """
    return UNet(in_channels=3, out_channels=3, widths=(16, 32, 64), residual=True)


def multiscale_unet_small() -> MultiScaleUNet:
    """Three-scale deblurring net for CPU crops: a (16, 32) U-Net per scale."""
    return MultiScaleUNet(channels=3, widths=(16, 32), n_scales=3)


def _resize(image: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    return F.interpolate(
        image, size=tuple(size), mode="bilinear", align_corners=False, antialias=True
    )

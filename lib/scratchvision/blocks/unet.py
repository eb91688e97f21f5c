"""U-Net: an encoder-decoder with skip connections (Ronneberger et al. 2015).

The encoder halves the resolution and doubles the width at every level, so deep features
see a wide context; the decoder upsamples back and, at each level, concatenates the
encoder features of the same resolution (the *skip connections*), so the detail that
pooling threw away can come back (Ronneberger et al. 2015, "U-Net: convolutional
networks for biomedical image segmentation", Fig. 1). Two changes for dense prediction
at the input's size: 3x3 convolutions are padded, so the output has the input's size,
and with ``residual=True`` the net predicts a correction that is added to its input, so
it only has to learn what the degradation changed (restoration). The layer that
outputs the correction starts at zero, so an untrained net is the identity and training
starts from "do nothing" rather than from random noise (the zero-init trick of Goyal
et al. 2017 and Zhang et al. 2019, "Fixup"); on one batch this is the difference
between beating the identity within 100 steps or not.

Any H, W work: the input is padded (edge pixels repeated) up to a multiple of
``2 ** (len(widths) - 1)`` and the output is cropped back.

Used by the restorers of chapter 5 (``notebooks/05_imaging/``, with
``scratchvision.imaging.unet.MultiScaleUNet`` on top) and by segmentation (chapter 4).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from scratchvision.validate import Checker


def conv_block(in_channels: int, out_channels: int) -> nn.Sequential:
    """Two padded 3x3 convs + ReLU: one row of boxes in Ronneberger et al., Fig. 1."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1),
        nn.ReLU(inplace=True),
        nn.Conv2d(out_channels, out_channels, 3, padding=1),
        nn.ReLU(inplace=True),
    )


class UNet(nn.Module):
    """Encoder-decoder with skips by concatenation (Ronneberger et al. 2015, Fig. 1).

    ``residual=True`` returns ``x[:, :C_out] + f(x)`` with ``f`` zero at initialisation
    (restoration: the net learns the correction to the image in the first ``C_out``
    input channels; any further channels are side information); ``residual=False``
    returns ``f(x)``.

    Args:
        in_channels, out_channels: channels of the input and of the output image.
        widths: channels at each level, finest first; ``len(widths) - 1`` poolings.
        residual: add the input image to the output (needs
            ``out_channels <= in_channels``).
        skips: concatenate encoder features into the decoder; ``False`` gives a plain
            encoder-decoder, to show what the skips are for.
    """

    def __init__(
        self,
        *,
        in_channels: int = 3,
        out_channels: int = 3,
        widths: Sequence[int] = (16, 32, 64),
        residual: bool = True,
        skips: bool = True,
    ) -> None:
        super().__init__()
        widths = _check_unet_args(in_channels, out_channels, widths, residual, skips)
        self.in_channels, self.residual, self.skips = in_channels, residual, skips
        self.multiple = 2 ** (len(widths) - 1)  # H and W are padded to a multiple
        coarse_to_fine = widths[::-1]
        self.encoder = nn.ModuleList(
            conv_block(a, b) for a, b in zip((in_channels, *widths), widths)
        )
        self.upsample = nn.ModuleList(
            nn.ConvTranspose2d(a, b, kernel_size=2, stride=2)
            for a, b in zip(coarse_to_fine, coarse_to_fine[1:])
        )
        self.decoder = nn.ModuleList(
            conv_block(b * (2 if skips else 1), b) for b in coarse_to_fine[1:]
        )
        self.head = nn.Conv2d(widths[0], out_channels, kernel_size=1)
        if residual:  # start as the identity
            nn.init.zeros_(self.head.weight)
            nn.init.zeros_(self.head.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Restore a batch of images.

        Args:
            x (Tensor[B, C_in, H, W]): the degraded images, any H and W.

        Returns:
            Tensor[B, C_out, H, W].
        """
        _check_input(x, self.in_channels)
        height, width = x.shape[-2:]
        h = self.encoder[0](_pad_to_multiple(x, self.multiple))  # (B, D_0, H', W')
        features = []
        for block in self.encoder[1:]:
            features.append(h)
            h = block(F.max_pool2d(h, 2))  # (B, D_i, H' / 2^i, W' / 2^i)
        for upsample, block, skip in zip(
            self.upsample, self.decoder, reversed(features)
        ):
            h = upsample(h)  # (B, D_i, H' / 2^i, W' / 2^i): back to the skip's level
            h = block(
                torch.cat([skip, h], dim=1) if self.skips else h
            )  # (B, D_i, H' / 2^i, W' / 2^i)
        out = self.head(h)[..., :height, :width]  # (B, C_out, H, W)
        return x[:, : out.shape[1]] + out if self.residual else out


def _pad_to_multiple(x: torch.Tensor, multiple: int) -> torch.Tensor:
    """Pad bottom and right with edge pixels until ``multiple`` divides H and W."""
    pad_h, pad_w = (-x.shape[-2]) % multiple, (-x.shape[-1]) % multiple
    return F.pad(x, (0, pad_w, 0, pad_h), mode="replicate")  # (B, C, H', W')


def _check_unet_args(in_channels, out_channels, widths, residual, skips):
    """Channels and widths >= 1; return the widths as a tuple."""
    check = Checker("UNet")
    check.ints(min_value=1, in_channels=in_channels, out_channels=out_channels)
    check.that(
        isinstance(widths, (tuple, list)) and len(widths) > 0,
        f"widths must be a non-empty tuple of ints, got {widths!r}",
    )
    for i, w in enumerate(widths):
        check.int(f"widths[{i}]", w, min_value=1)
    check.bool("residual", residual)
    check.bool("skips", skips)
    check.that(
        not (residual and out_channels > in_channels),
        "residual=True adds the first out_channels input channels to the output, so "
        f"out_channels must be <= in_channels={in_channels}, got "
        f"out_channels={out_channels}",
    )
    return tuple(widths)


def _check_input(x, channels: int) -> None:
    Checker("UNet.forward").tensor(
        "x",
        x,
        ndim=4,
        dims="(B, C, H, W)",
        floating=True,
        channels=channels,
        finite=True,
    )

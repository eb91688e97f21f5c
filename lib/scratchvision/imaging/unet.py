"""U-Net for image restoration, and its coarse-to-fine multi-scale variant.

The encoder halves the resolution and doubles the width at every level, so deep features
see a wide context; the decoder upsamples back and, at each level, concatenates the
encoder features of the same resolution (the *skip connections*), so the detail that
pooling threw away can come back (Ronneberger et al. 2015, "U-Net: convolutional
networks for biomedical image segmentation", Fig. 1). Two changes for restoration: 3x3
convolutions are padded, so the output has the input's size, and with ``residual=True``
the net predicts a correction that is added to its input, so it only has to learn what
the degradation changed. The layer that outputs the correction starts at zero, so an
untrained net is the identity and training starts from "do nothing" rather than from
random noise (the zero-init trick of Goyal et al. 2017 and Zhang et al. 2019, "Fixup");
on one batch this is the difference between beating the identity within 100 steps or
not.

Any H, W work: the input is padded (edge pixels repeated) up to a multiple of
``2 ** (len(widths) - 1)`` and the output is cropped back.

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

from scratchvision.validate import check_int, check_tensor


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
        fn = "UNet"
        check_int("in_channels", in_channels, min_value=1, fn=fn)
        check_int("out_channels", out_channels, min_value=1, fn=fn)
        widths = _check_widths(widths, fn)
        if residual and out_channels > in_channels:
            raise ValueError(
                f"{fn}: residual=True adds the first out_channels input channels to "
                f"the output, so out_channels must be <= in_channels={in_channels}, "
                f"got out_channels={out_channels}"
            )
        self.in_channels, self.residual, self.skips = in_channels, residual, skips
        self.multiple = 2 ** (
            len(widths) - 1
        )  # H and W are padded up to a multiple of this
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
        check_tensor(
            "x",
            x,
            ndim=4,
            dims="(B, C, H, W)",
            floating=True,
            channels=self.in_channels,
            fn="UNet.forward",
        )
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


def _pad_to_multiple(x: torch.Tensor, multiple: int) -> torch.Tensor:
    """Pad bottom and right with edge pixels until ``multiple`` divides H and W."""
    pad_h, pad_w = (-x.shape[-2]) % multiple, (-x.shape[-1]) % multiple
    return F.pad(x, (0, pad_w, 0, pad_h), mode="replicate")  # (B, C, H', W')


def _check_widths(widths, fn: str) -> tuple[int, ...]:
    if not isinstance(widths, (tuple, list)) or len(widths) == 0:
        raise ValueError(
            f"{fn}: widths must be a non-empty tuple of ints, got {widths!r}"
        )
    return tuple(
        check_int(f"widths[{i}]", w, min_value=1, fn=fn) for i, w in enumerate(widths)
    )

"""PatchGAN: a discriminator that judges every patch of an image, not the whole image.

A fully convolutional stack of stride-2 4x4 convolutions ends in one logit per position;
each logit sees only a ``receptive_field``-sized patch (70 x 70 px for ``n_layers=3``),
so the discriminator scores local texture and sharpness and leaves global structure to
an L1 loss (Isola et al. 2017, "Image-to-image translation with conditional adversarial
networks" (pix2pix), Sec. 3.2.2 and appendix 6.1.2). Train it with ``losses.gan_d_loss``
and the generator with ``losses.gan_g_loss``, averaging over all patch logits.

Normalisation. pix2pix puts batch norm after every convolution but the first. Here the
default is *no* normalisation (LeakyReLU only): each logit then depends on its own image
alone and nothing is updated during the forward pass, which keeps the tiny batches of a
CPU well-defined. ``spectral_norm=True`` divides each weight by its largest singular
value (Miyato et al. 2018, "Spectral normalization for GANs", Eq. 8), which bounds how
fast D's output can change and often steadies training; note that it keeps a
power-iteration vector that is updated in every training-mode forward pass.

Taught in the chapter 5 notebooks (``notebooks/05_imaging/``).
"""

from __future__ import annotations

import torch
import torch.nn as nn
from torch.nn.utils.parametrizations import spectral_norm as _spectral_norm

from scratchvision.ops.conv import receptive_field
from scratchvision.validate import check_int, check_tensor


class PatchGAN(nn.Module):
    """pix2pix's N-layer discriminator: one real/fake logit per overlapping patch.

    Layers (Isola et al. 2017, appendix 6.1.2, ``C_k`` = 4x4 conv with k filters and
    LeakyReLU 0.2): ``n_layers`` stride-2 convs ``C_D, C_2D, C_4D, ...``
    (width capped at 8D), one stride-1 conv, then a stride-1 conv to 1 channel. All have
    padding 1.

    Args:
        in_channels: channels of what D sees (for conditional D, image and condition
            concatenated: ``2 * C``).
        width: channels D of the first layer (64 in the paper).
        n_layers: number of stride-2 convolutions; the receptive field is 16, 34, 70,
            142 px for ``n_layers`` = 1, 2, 3, 4.
        spectral_norm: wrap every convolution in spectral normalisation.
    """

    def __init__(
        self,
        *,
        in_channels: int = 3,
        width: int = 32,
        n_layers: int = 3,
        spectral_norm: bool = False,
    ) -> None:
        super().__init__()
        fn = "PatchGAN"
        self.in_channels = check_int("in_channels", in_channels, min_value=1, fn=fn)
        check_int("width", width, min_value=1, fn=fn)
        self.n_layers = check_int("n_layers", n_layers, min_value=1, fn=fn)
        widths = (
            [in_channels] + [width * min(2**i, 8) for i in range(n_layers + 1)] + [1]
        )
        strides = [2] * n_layers + [1, 1]
        layers: list[nn.Module] = []
        for i, stride in enumerate(strides):
            conv = nn.Conv2d(
                widths[i], widths[i + 1], kernel_size=4, stride=stride, padding=1
            )
            layers.append(_spectral_norm(conv) if spectral_norm else conv)
            if i < len(strides) - 1:  # the last conv gives raw logits
                layers.append(nn.LeakyReLU(0.2, inplace=True))
        self.layers = nn.Sequential(*layers)

    @property
    def convs(self) -> list[nn.Conv2d]:
        """The convolutions, input side first."""
        return [m for m in self.layers if isinstance(m, nn.Conv2d)]

    @property
    def receptive_field(self) -> int:
        """Side, in input pixels, of the patch that one output logit sees.

        Computed by ``ops.conv.receptive_field``.
        """
        return receptive_field(
            [(c.kernel_size[0], c.stride[0], c.dilation[0]) for c in self.convs]
        )

    @property
    def min_input_size(self) -> int:
        """Smallest H (and W) that still gives a 1 x 1 logit map.

        Inverts the output-size formula layer by layer from the top: an output of length
        ``n`` needs an input of length ``(n - 1) * stride + kernel - 2 * padding``.
        """
        size = 1
        for c in reversed(self.convs):
            size = (size - 1) * c.stride[0] + c.kernel_size[0] - 2 * c.padding[0]
        return size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Score every patch.

        Args:
            x (Tensor[B, C_in, H, W]): images, ``H, W >= min_input_size``
                (24 for ``n_layers=3``).

        Returns:
            Tensor[B, 1, h, w]: logits (``> 0`` means "real");
            ``h = H / 2^n_layers - 2`` when H is a multiple of ``2^n_layers``.
        """
        fn = "PatchGAN.forward"
        check_tensor(
            "x",
            x,
            ndim=4,
            dims="(B, C, H, W)",
            floating=True,
            channels=self.in_channels,
            finite=True,
            fn=fn,
        )
        if min(x.shape[-2:]) < self.min_input_size:
            raise ValueError(
                f"{fn}: x height and width must be >= {self.min_input_size} for "
                f"n_layers={self.n_layers}, got shape {tuple(x.shape)}"
            )
        return self.layers(x)  # (B, 1, h, w)


def patchgan_small(in_channels: int = 3) -> PatchGAN:
    """A 70 x 70 PatchGAN of half the paper's width (~0.69 M params) for CPU crops."""
    return PatchGAN(in_channels=in_channels, width=32, n_layers=3)

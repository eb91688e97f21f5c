"""Residual blocks, and the same blocks without their skips (He et al. 2016).

A block computes

    y = relu(F(x) + shortcut(x))     (Eq. 1; Eq. 2 when the shortcut must change shape)

and its plain twin computes ``y = relu(F(x))`` with the very same ``F``, so the two
nets of the degradation experiment (Sec. 4.2, Fig. 6) differ only in the skips.
``BasicBlock`` (two 3x3 convs) and ``Bottleneck`` (1x1-3x3-1x1) are the two ``F`` of
the paper; ResNet stacks them, and detection and segmentation backbones reuse them.

Taught in ``notebooks/01_cnn_vit/02_history.ipynb``.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from scratchvision.blocks.conv import conv_bn
from scratchvision.validate import Checker


class PadShortcut(nn.Module):
    """Parameter-free shortcut, option A of He et al. 2016 (Sec. 4.2, CIFAR-10).

    Subsamples by ``stride`` and zero-pads the new channels, so a residual net and its
    plain twin have exactly the same parameters.

    Args:
        out_channels: channels after padding (at least the input's).
        stride: subsampling step.
    """

    def __init__(self, out_channels: int, stride: int):
        super().__init__()
        Checker("PadShortcut").ints(
            min_value=1, out_channels=out_channels, stride=stride
        )
        self.out_channels, self.stride = out_channels, stride

    def forward(self, x: Tensor) -> Tensor:
        """x (Tensor[B, C, H, W]), C <= out_channels -> (B, out_channels, H/s, W/s)."""
        _check_maps("PadShortcut", x, max_channels=self.out_channels)
        x = x[:, :, :: self.stride, :: self.stride]  # (B, C, H/s, W/s)
        new = self.out_channels - x.shape[1]
        return F.pad(x, (0, 0, 0, 0, 0, new))  # (B, C_out, H/s, W/s)


class ResidualBlock(nn.Module):
    """``relu(branch(x) + shortcut(x))``; ``relu(branch(x))`` when ``residual=False``.

    Args:
        branch: the residual function F, ending in a BatchNorm:
            ``(B, in, H, W) -> (B, out, H/s, W/s)``.
        in_channels, out_channels, stride: the shape change of ``branch``, which the
            shortcut copies.
        residual: keep the skip connection.
        shortcut: how to copy a shape change: ``"pad"`` (option A, ``PadShortcut``) or
            ``"conv"`` (option B, a 1x1 conv and BatchNorm, Eq. 2); an identity
            otherwise.

    ``self.add`` is an identity on the sum: hook it to look at (or count) the skip
    connections.
    """

    expansion = 1  # out_channels / width, for the subclasses

    def __init__(
        self,
        branch: nn.Module,
        in_channels: int,
        out_channels: int,
        stride: int,
        *,
        residual: bool,
        shortcut: str,
    ):
        super().__init__()
        fn = type(self).__name__
        _check_residual_args(fn, branch, in_channels, out_channels, stride, residual)
        _check_shortcut(fn, shortcut, in_channels, out_channels, residual)
        self.in_channels = in_channels
        self.branch, self.residual, self.add = branch, residual, nn.Identity()
        if not residual:
            self.shortcut = None
        elif in_channels == out_channels and stride == 1:
            self.shortcut = nn.Identity()
        elif shortcut == "conv":
            self.shortcut = nn.Sequential(
                *conv_bn(in_channels, out_channels, 1, stride)
            )
        else:
            self.shortcut = PadShortcut(out_channels, stride)

    def forward(self, x: Tensor) -> Tensor:
        """x (Tensor[B, in_channels, H, W]) -> Tensor[B, out_channels, H/s, W/s]."""
        _check_maps(type(self).__name__, x, channels=self.in_channels)
        out = self.branch(x)  # (B, C_out, H/s, W/s)
        if self.residual:
            out = self.add(out + self.shortcut(x))  # (B, C_out, H/s, W/s)
        return F.relu(out)


class BasicBlock(ResidualBlock):
    """Two 3x3 convs (He et al. 2016, Fig. 2).

    ``(B, in, H, W) -> (B, width, H/s, W/s)``.
    """

    def __init__(
        self,
        *,
        in_channels: int,
        width: int,
        stride: int = 1,
        residual: bool = True,
        shortcut: str = "pad",
    ):
        Checker("BasicBlock").ints(
            min_value=1, in_channels=in_channels, width=width, stride=stride
        )
        branch = nn.Sequential(
            *conv_bn(in_channels, width, 3, stride),
            nn.ReLU(),
            *conv_bn(width, width, 3),
        )
        super().__init__(
            branch, in_channels, width, stride, residual=residual, shortcut=shortcut
        )


class Bottleneck(ResidualBlock):
    """1x1 reduce, 3x3, 1x1 expand by 4 (He et al. 2016, Fig. 5 right).

    ``(B, in, H, W) -> (B, 4 width, H/s, W/s)``.

    The stride sits on the 3x3 conv, as in torchvision ("ResNet v1.5").
    """

    expansion = 4

    def __init__(
        self,
        *,
        in_channels: int,
        width: int,
        stride: int = 1,
        residual: bool = True,
        shortcut: str = "pad",
    ):
        Checker("Bottleneck").ints(
            min_value=1, in_channels=in_channels, width=width, stride=stride
        )
        out = width * self.expansion
        branch = nn.Sequential(
            *conv_bn(in_channels, width, 1),
            nn.ReLU(),
            *conv_bn(width, width, 3, stride),
            nn.ReLU(),
            *conv_bn(width, out, 1),
        )
        super().__init__(
            branch, in_channels, out, stride, residual=residual, shortcut=shortcut
        )


def _check_residual_args(fn, branch, in_channels, out_channels, stride, residual):
    check = Checker(fn)
    check.that(
        isinstance(branch, nn.Module),
        f"branch must be a torch.nn.Module, got {type(branch).__name__}",
    )
    check.ints(
        min_value=1, in_channels=in_channels, out_channels=out_channels, stride=stride
    )
    check.bool("residual", residual)


def _check_shortcut(fn, shortcut, in_channels, out_channels, residual) -> None:
    """Option A can only add channels: the zero padding cannot remove any."""
    check = Checker(fn)
    check.choice("shortcut", shortcut, ("pad", "conv"))
    check.that(
        not (residual and shortcut == "pad" and out_channels < in_channels),
        f"shortcut='pad' can only add channels: out_channels must be >= "
        f"in_channels={in_channels}, got {out_channels}",
    )


def _check_maps(fn, x, *, channels=None, max_channels=None) -> None:
    """x: a float (B, C, H, W) map with the channels the block was built for."""
    check = Checker(fn)
    check.tensor("x", x, ndim=4, dims="(B, C, H, W)", floating=True, channels=channels)
    if max_channels is not None:
        check.that(
            x.shape[1] <= max_channels,
            f"x must have at most out_channels={max_channels} channels (the shortcut "
            f"only pads with zeros), got shape {tuple(x.shape)}",
        )

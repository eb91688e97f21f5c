"""Convolution stacks shared by the CNNs: conv + norm + activation, in a few shapes.

``conv3x3_stage`` is VGG's unit (Simonyan & Zisserman 2015, Sec. 2.3: stacked 3x3
convs see as far as one big kernel with fewer weights); ``conv_bn`` is the bias-free
conv and BatchNorm that every ResNet layer is made of (He et al. 2016). ``ACTIVATIONS``
are the nonlinearities a chapter-1 model can be built with (LeNet, AlexNet).

Taught in ``notebooks/01_cnn_vit/02_history.ipynb``.
"""

from __future__ import annotations

from torch import nn

from scratchvision.validate import Checker

#: Nonlinearities a chapter-1 model can be built with (shared by LeNet and AlexNet).
ACTIVATIONS: dict[str, type[nn.Module]] = {
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "sigmoid": nn.Sigmoid,
}


def conv_bn(
    in_channels: int, out_channels: int, kernel_size: int, stride: int = 1
) -> list[nn.Module]:
    """A bias-free conv followed by BatchNorm (which would cancel the bias anyway).

    ``(B, in, H, W) -> (B, out, H/s, W/s)``, "same" padding.
    """
    Checker("conv_bn").ints(
        min_value=1,
        in_channels=in_channels,
        out_channels=out_channels,
        kernel_size=kernel_size,
        stride=stride,
    )
    pad = kernel_size // 2  # "same" padding, so a stride of s divides H and W by s
    conv = nn.Conv2d(
        in_channels, out_channels, kernel_size, stride, padding=pad, bias=False
    )
    return [conv, nn.BatchNorm2d(out_channels)]


def conv3x3_stage(
    in_channels: int, out_channels: int, n_convs: int, *, batch_norm: bool
) -> nn.Sequential:
    """``n_convs`` x (3x3 conv, [BatchNorm], ReLU).

    ``(B, in, H, W) -> (B, out, H, W)``.
    """
    _check_stage_args(in_channels, out_channels, n_convs, batch_norm)
    layers: list[nn.Module] = []
    for i in range(n_convs):
        cin = in_channels if i == 0 else out_channels
        # a bias before BatchNorm would be cancelled by its mean subtraction
        layers.append(
            nn.Conv2d(cin, out_channels, kernel_size=3, padding=1, bias=not batch_norm)
        )
        if batch_norm:
            layers.append(nn.BatchNorm2d(out_channels))
        layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def _check_stage_args(in_channels, out_channels, n_convs, batch_norm) -> None:
    check = Checker("conv3x3_stage")
    check.ints(min_value=1, in_channels=in_channels, out_channels=out_channels)
    check.int("n_convs", n_convs, min_value=1)  # 0 would build an empty stage
    check.bool("batch_norm", batch_norm)

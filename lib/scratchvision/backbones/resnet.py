"""ResNet: residual learning, and the same network without its skips (He et al. 2016).

Taught in ``notebooks/01_cnn_vit/``, which shows the *degradation problem*
(Sec. 4.2, Fig. 6): a deep plain net (``residual=False``) trains worse than a shallower
one, while the same depth with identity shortcuts (``residual=True``) trains better.
A block computes

    y = relu(F(x) + shortcut(x))     (Eq. 1; Eq. 2 when the shortcut must change shape)

and its plain twin computes ``y = relu(F(x))`` with the very same ``F``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch.nn.functional as F
from torch import Tensor, nn

from scratchvision.validate import check_choice, check_int, check_tensor


class PadShortcut(nn.Module):
    """Parameter-free shortcut, option A of He et al. 2016 (Sec. 4.2, CIFAR-10).

    Subsamples by ``stride`` and zero-pads the new channels, so a residual net and its
    plain twin have exactly the same parameters.
    """

    def __init__(self, out_channels: int, stride: int):
        super().__init__()
        self.out_channels, self.stride = out_channels, stride

    def forward(self, x: Tensor) -> Tensor:
        x = x[:, :, :: self.stride, :: self.stride]  # (B, C, H/s, W/s)
        return F.pad(
            x, (0, 0, 0, 0, 0, self.out_channels - x.shape[1])
        )  # (B, C_out, H/s, W/s)


def conv_bn(
    in_channels: int, out_channels: int, kernel_size: int, stride: int = 1
) -> list[nn.Module]:
    """A bias-free conv followed by BatchNorm (which would cancel the bias anyway)."""
    pad = kernel_size // 2  # "same" padding, so a stride of s divides H and W by s
    conv = nn.Conv2d(
        in_channels, out_channels, kernel_size, stride, padding=pad, bias=False
    )
    return [conv, nn.BatchNorm2d(out_channels)]


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
        branch: nn.Sequential,
        in_channels: int,
        out_channels: int,
        stride: int,
        *,
        residual: bool,
        shortcut: str,
    ):
        super().__init__()
        fn = type(self).__name__
        check_choice("shortcut", shortcut, ("pad", "conv"), fn=fn)
        check_int("stride", stride, min_value=1, fn=fn)
        self.branch, self.residual, self.add = branch, residual, nn.Identity()
        if not residual:
            self.shortcut = None
        elif in_channels == out_channels and stride == 1:
            self.shortcut = nn.Identity()
        elif shortcut == "conv":
            self.shortcut = nn.Sequential(
                *conv_bn(in_channels, out_channels, 1, stride)
            )
        elif out_channels >= in_channels:
            self.shortcut = PadShortcut(out_channels, stride)
        else:
            raise ValueError(
                f"{fn}: shortcut='pad' can only add channels, got {in_channels} -> "
                f"{out_channels}"
            )

    def forward(self, x: Tensor) -> Tensor:
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


BLOCKS: dict[str, type[ResidualBlock]] = {"basic": BasicBlock, "bottleneck": Bottleneck}


def make_stem(kind: str, in_channels: int, width: int) -> nn.Sequential:
    """The layers before the first stage, ``"cifar"`` or ``"imagenet"``.

    ``"cifar"``: one 3x3 conv (Sec. 4.2); ``"imagenet"``: 7x7 / 2 conv, 3x3 / 2 max pool
    (Table 1).
    """
    if kind == "cifar":
        return nn.Sequential(
            *conv_bn(in_channels, width, 3), nn.ReLU()
        )  # (B, width, H, W)
    return nn.Sequential(
        *conv_bn(in_channels, width, 7, stride=2),
        nn.ReLU(),  # (B, width, H/2, W/2)
        nn.MaxPool2d(3, stride=2, padding=1),  # (B, width, H/4, W/4)
    )


def make_stage(
    block: type[ResidualBlock],
    in_channels: int,
    width: int,
    n_blocks: int,
    *,
    stride: int,
    residual: bool,
    shortcut: str,
) -> nn.Sequential:
    """``n_blocks`` blocks; the first changes the shape.

    ``(B, in_channels, H, W) -> (B, width * expansion, H/s, W/s)``.
    """
    options = {"width": width, "residual": residual, "shortcut": shortcut}
    blocks = [
        block(in_channels=in_channels, stride=stride, **options)
    ]  # (B, width * expansion, H/s, W/s)
    for _ in range(n_blocks - 1):
        blocks.append(block(in_channels=width * block.expansion, **options))
    return nn.Sequential(*blocks)


class ResNet(nn.Module):
    """ResNet (He et al. 2016): stem, stages of residual blocks, GAP and a linear layer.

    Stage ``i`` stacks ``layers[i]`` blocks of width ``widths[i]``; every stage after
    the first halves the resolution in its first block. ``stem="cifar"`` is one 3x3 conv
    (Sec. 4.2); ``stem="imagenet"`` is the 7x7 / stride-2 conv and 3x3 max pool of
    Table 1, and with ``shortcut="conv"`` gives torchvision's ``resnet18`` /
    ``resnet50`` exactly.

    Args:
        block: ``"basic"`` (two 3x3 convs) or ``"bottleneck"`` (1x1-3x3-1x1, 4x
            expansion).
        layers: number of blocks per stage.
        widths: width of each stage; the stem has ``widths[0]`` channels.
        num_classes: number of output logits.
        in_channels: channels of the input image.
        residual: ``False`` removes every skip connection, leaving the same layers
            ("plain").
        stem: ``"cifar"`` or ``"imagenet"``.
        shortcut: ``"pad"`` (option A, parameter-free, so plain and residual nets have
            equal parameter counts) or ``"conv"`` (option B, a 1x1 projection; dropped
            when plain).
        zero_init_residual: zero the last BN gamma of every block so that each starts as
            the identity (Goyal et al. 2017); only meaningful with ``residual=True``.
    """

    def __init__(
        self,
        *,
        block: str = "basic",
        layers: Sequence[int] = (2, 2, 2, 2),
        widths: Sequence[int] = (16, 32, 64, 128),
        num_classes: int = 10,
        in_channels: int = 3,
        residual: bool = True,
        stem: str = "cifar",
        shortcut: str = "pad",
        zero_init_residual: bool = False,
    ):
        super().__init__()
        Block = BLOCKS[check_choice("block", block, BLOCKS, fn="ResNet")]
        check_choice("stem", stem, ("cifar", "imagenet"), fn="ResNet")
        check_choice("shortcut", shortcut, ("pad", "conv"), fn="ResNet")
        self.in_channels = check_int(
            "in_channels", in_channels, min_value=1, fn="ResNet"
        )
        check_int("num_classes", num_classes, min_value=1, fn="ResNet")
        if len(layers) == 0 or len(widths) != len(layers):
            raise ValueError(
                f"ResNet: widths must have one entry per stage ({len(layers)}), got "
                f"{tuple(widths)!r}"
            )
        for n, w in zip(layers, widths):
            check_int("layers", n, min_value=1, fn="ResNet")
            check_int("widths", w, min_value=1, fn="ResNet")
        if zero_init_residual and not residual:
            raise ValueError(
                "ResNet: zero_init_residual=True needs residual=True, got "
                "residual=False"
            )
        self.stem = make_stem(stem, in_channels, widths[0])  # (B, w0, H', W')
        stages, cin = [], widths[0]
        for i, (n, w) in enumerate(zip(layers, widths)):
            stride = 1 if i == 0 else 2
            stages.append(
                make_stage(
                    Block,
                    cin,
                    w,
                    n,
                    stride=stride,
                    residual=residual,
                    shortcut=shortcut,
                )
            )
            cin = w * Block.expansion  # stage i: (B, cin, H'/2^i, W'/2^i)
        self.body = nn.Sequential(*stages)
        self.head = nn.Sequential(
            nn.AdaptiveAvgPool2d(1),  # (B, C, 1, 1)
            nn.Flatten(),  # (B, C)
            nn.Linear(cin, num_classes),  # (B, num_classes)
        )
        if zero_init_residual:  # every block starts as its shortcut (Goyal et al. 2017)
            for m in self.modules():
                if isinstance(m, ResidualBlock):
                    nn.init.zeros_(m.branch[-1].weight)

    @property
    def cam_layer(self) -> nn.Module:
        """The CAM target: the last stage, whose output is ``features(images)``."""
        return self.body[-1]

    def features(self, images: Tensor) -> Tensor:
        """Images ``(B, in_channels, H, W)`` -> last stage ``(B, C', h, w)``.

        ``C' = widths[-1] * expansion``.
        """
        check_tensor(
            "images", images, ndim=4, dims="(B, C, H, W)", floating=True, fn="ResNet"
        )
        check_choice(
            "images.shape[1] (channels)",
            images.shape[1],
            [self.in_channels],
            fn="ResNet",
        )
        return self.body(self.stem(images))  # (B, C, h, w)

    def forward(self, images: Tensor) -> Tensor:
        """Images ``(B, in_channels, H, W)`` -> logits ``(B, num_classes)``."""
        return self.head(self.features(images))  # (B, num_classes)


def resnet_cifar(
    *,
    depth: int = 20,
    block: str = "basic",
    residual: bool = True,
    num_classes: int = 10,
    in_channels: int = 3,
) -> ResNet:
    """The CIFAR-10 family (He et al. 2016, Sec. 4.2): stages of 16, 32 and 64 channels.

    With basic blocks ``depth = 6n + 2`` (n blocks per stage, 2 convs each, plus the
    stem conv and the classifier); with bottlenecks ``depth = 9n + 2``
    (3 convs per block).
    """
    convs = {"basic": 2, "bottleneck": 3}[
        check_choice("block", block, BLOCKS, fn="resnet_cifar")
    ]
    check_int("depth", depth, min_value=3 * convs + 2, fn="resnet_cifar")
    if (depth - 2) % (3 * convs):
        raise ValueError(
            f"resnet_cifar: depth must be {3 * convs}n + 2 for {block} blocks, got "
            f"{depth}"
        )
    n = (depth - 2) // (3 * convs)
    return ResNet(
        block=block,
        layers=(n, n, n),
        widths=(16, 32, 64),
        residual=residual,
        num_classes=num_classes,
        in_channels=in_channels,
    )


def resnet8(*, num_classes: int = 10, in_channels: int = 3) -> ResNet:
    """ResNet-8: one basic block per stage; the fastest residual net of the chapter."""
    return resnet_cifar(depth=8, num_classes=num_classes, in_channels=in_channels)


def resnet20(*, num_classes: int = 10, in_channels: int = 3) -> ResNet:
    """ResNet-20 of He et al. 2016 (Table 6): 0.27M parameters."""
    return resnet_cifar(depth=20, num_classes=num_classes, in_channels=in_channels)


def plain20(*, num_classes: int = 10, in_channels: int = 3) -> ResNet:
    """ResNet-20 without skips: the 20-layer plain net of He et al. 2016 (Fig. 6)."""
    return resnet_cifar(
        depth=20, residual=False, num_classes=num_classes, in_channels=in_channels
    )


def resnet29_bottleneck(*, num_classes: int = 10, in_channels: int = 3) -> ResNet:
    """Three bottleneck blocks per stage (depth 9 * 3 + 2 = 29).

    The three stages output 64, 128 and 256 channels.
    """
    return resnet_cifar(
        depth=29, block="bottleneck", num_classes=num_classes, in_channels=in_channels
    )

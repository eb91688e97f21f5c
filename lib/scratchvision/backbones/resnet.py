"""ResNet: residual learning, and the same network without its skips (He et al. 2016).

Taught in ``notebooks/01_cnn_vit/``, which shows the *degradation problem*
(Sec. 4.2, Fig. 6): a deep plain net (``residual=False``) trains worse than a shallower
one, while the same depth with identity shortcuts (``residual=True``) trains better.
A block computes

    y = relu(F(x) + shortcut(x))     (Eq. 1; Eq. 2 when the shortcut must change shape)

and its plain twin computes ``y = relu(F(x))`` with the very same ``F``. The blocks
(``BasicBlock``, ``Bottleneck``, ``PadShortcut``) live in ``scratchvision.blocks``;
this file stacks them into networks.

Inspected like every backbone (see ``scratchvision.backbones``): ``features``,
``stage_maps`` (one map per stage, for FPN and U-Net decoders), ``feature_dim`` and the
``cam_layer`` tap.
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor, nn

from scratchvision.backbones._checks import check_images
from scratchvision.blocks import BasicBlock, Bottleneck, FeatureTap, ResidualBlock
from scratchvision.blocks.conv import conv_bn
from scratchvision.validate import Checker

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
    first = block(in_channels=in_channels, stride=stride, **options)  # H/s, W/s
    width_out = width * block.expansion
    rest = [block(in_channels=width_out, **options) for _ in range(n_blocks - 1)]
    return nn.Sequential(first, *rest)


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
        Block = _check_resnet_args(
            block, layers, widths, num_classes, in_channels, stem, shortcut
        )
        _check_flags(residual, zero_init_residual, shortcut, widths)
        self.in_channels = in_channels
        self.stem = make_stem(stem, in_channels, widths[0])  # (B, w0, H', W')
        options = {"residual": residual, "shortcut": shortcut}
        stages, cin = [], widths[0]
        for i, (n, w) in enumerate(zip(layers, widths)):
            stride = 1 if i == 0 else 2  # every stage after the first halves H and W
            stages.append(make_stage(Block, cin, w, n, stride=stride, **options))
            cin = w * Block.expansion  # stage i: (B, cin, H'/2^i, W'/2^i)
        self.body = nn.Sequential(*stages)
        self.feature_dim = cin
        self.head = nn.Sequential(
            nn.AdaptiveAvgPool2d(1),  # (B, C, 1, 1)
            nn.Flatten(),  # (B, C)
            nn.Linear(cin, num_classes),  # (B, num_classes)
        )
        if zero_init_residual:  # every block starts as its shortcut (Goyal et al. 2017)
            for m in self.modules():
                if isinstance(m, ResidualBlock):
                    nn.init.zeros_(m.branch[-1].weight)

        self.cam_layer = FeatureTap()

    def stage_maps(self, images: Tensor) -> list[Tensor]:
        """Images ``(B, in_channels, H, W)`` -> the output of every stage.

        Stage i gives ``(B, widths[i] * expansion, H'/2^i, W'/2^i)``, with ``H' = H``
        for the CIFAR stem and ``H/4`` for the ImageNet one; the last is ``features``.
        """
        check_images("ResNet", images, self.in_channels)
        x, maps = self.stem(images), []  # (B, w0, H', W')
        for stage in self.body:
            x = stage(x)  # (B, C_i, H'/2^i, W'/2^i)
            maps.append(x)
        return [*maps[:-1], self.cam_layer(maps[-1])]

    def features(self, images: Tensor) -> Tensor:
        """Images ``(B, in_channels, H, W)`` -> last stage ``(B, C', h, w)``.

        ``C' = widths[-1] * expansion``.
        """
        return self.stage_maps(images)[-1]  # (B, C, h, w)

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
    stem: str = "cifar",
) -> ResNet:
    """The CIFAR-10 family (He et al. 2016, Sec. 4.2): stages of 16, 32 and 64 channels.

    With basic blocks ``depth = 6n + 2`` (n blocks per stage, 2 convs each, plus the
    stem conv and the classifier); with bottlenecks ``depth = 9n + 2``
    (3 convs per block). ``stem="imagenet"`` swaps the 3x3 stem for the 7x7 / 2 conv
    and 3x3 / 2 max pool of Table 1: the same depth, 16x fewer positions per image.
    """
    n = _check_depth(depth, block)
    return ResNet(
        block=block,
        layers=(n, n, n),
        widths=(16, 32, 64),
        residual=residual,
        num_classes=num_classes,
        in_channels=in_channels,
        stem=stem,
    )


def resnet8(*, num_classes: int = 10, in_channels: int = 3) -> ResNet:
    """ResNet-8: one basic block per stage; the fastest residual net of the chapter."""
    return resnet_cifar(depth=8, num_classes=num_classes, in_channels=in_channels)


def resnet20(
    *, num_classes: int = 10, in_channels: int = 3, stem: str = "cifar"
) -> ResNet:
    """ResNet-20 of He et al. 2016 (Table 6): 0.27M parameters.

    The zoo's ``resnet20-shapeworld`` is ``resnet20(stem="imagenet")``: on 64x64 scenes
    the ImageNet stem brings the maps down to 16x16 before the first stage.
    """
    return resnet_cifar(
        depth=20, num_classes=num_classes, in_channels=in_channels, stem=stem
    )


def plain20(
    *, num_classes: int = 10, in_channels: int = 3, stem: str = "cifar"
) -> ResNet:
    """ResNet-20 without skips: the 20-layer plain net of He et al. 2016 (Fig. 6).

    The zoo's ``plain20-shapeworld`` is ``plain20(stem="imagenet")``.
    """
    return resnet_cifar(
        depth=20,
        residual=False,
        num_classes=num_classes,
        in_channels=in_channels,
        stem=stem,
    )


def resnet29_bottleneck(*, num_classes: int = 10, in_channels: int = 3) -> ResNet:
    """Three bottleneck blocks per stage (depth 9 * 3 + 2 = 29).

    The three stages output 64, 128 and 256 channels.
    """
    return resnet_cifar(
        depth=29, block="bottleneck", num_classes=num_classes, in_channels=in_channels
    )


def _check_resnet_args(block, layers, widths, num_classes, in_channels, stem, shortcut):
    """Known choices, sizes >= 1, one width per stage; return the block class."""
    check = Checker("ResNet")
    check.choice("stem", stem, ("cifar", "imagenet"))
    check.choice("shortcut", shortcut, ("pad", "conv"))
    check.ints(min_value=1, num_classes=num_classes, in_channels=in_channels)
    check.that(
        isinstance(layers, (tuple, list)) and len(layers) > 0,
        f"layers must be a non-empty tuple of ints, got {layers!r}",
    )
    check.that(
        isinstance(widths, (tuple, list)) and len(widths) == len(layers),
        f"widths must have one entry per stage ({len(layers)}), got {widths!r}",
    )
    for i, (n, w) in enumerate(zip(layers, widths)):
        check.int(f"layers[{i}]", n, min_value=1)
        check.int(f"widths[{i}]", w, min_value=1)
    return BLOCKS[check.choice("block", block, BLOCKS)]


def _check_flags(residual, zero_init_residual, shortcut, widths) -> None:
    """Booleans that agree; option-A shortcuts need widths that never shrink."""
    check = Checker("ResNet")
    check.bool("residual", residual)
    check.bool("zero_init_residual", zero_init_residual)
    check.that(
        residual or not zero_init_residual,
        "zero_init_residual=True needs residual=True, got residual=False",
    )
    check.that(
        not (residual and shortcut == "pad" and list(widths) != sorted(widths)),
        f"widths must not decrease with shortcut='pad' (zero padding can only add "
        f"channels), got {widths!r}",
    )


def _check_depth(depth, block) -> int:
    """depth = 6n + 2 (basic) or 9n + 2 (bottleneck); return n."""
    check = Checker("resnet_cifar")
    convs = {"basic": 2, "bottleneck": 3}[check.choice("block", block, BLOCKS)]
    check.int("depth", depth, min_value=3 * convs + 2)
    check.that(
        (depth - 2) % (3 * convs) == 0,
        f"depth must be {3 * convs}n + 2 for {block} blocks, got {depth}",
    )
    return (depth - 2) // (3 * convs)

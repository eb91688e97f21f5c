"""VGG: depth from stacks of 3x3 convolutions (Simonyan & Zisserman 2015).

Taught in ``notebooks/01_cnn_vit/``. The paper's argument (Sec. 2.3): two stacked 3x3
convs see a 5x5 window, like one 5x5 conv, with 2 * 9 C^2 = 18 C^2 weights instead of
25 C^2 and one more nonlinearity in between; three see 7x7 with 27 C^2 instead of
49 C^2.
The notebook checks this with ``scratchvision.flops.count_params`` and
``scratchvision.ops.conv.receptive_field``. The stage itself, ``conv3x3_stage``, is a
block (``scratchvision.blocks.conv``).

Inspected like every backbone (see ``scratchvision.backbones``): ``features``,
``stage_maps``, ``feature_dim`` and the ``cam_layer`` tap.
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor, nn

from scratchvision.backbones._checks import check_images
from scratchvision.blocks import FeatureTap, conv3x3_stage
from scratchvision.validate import Checker


class VGG(nn.Module):
    """VGG (Simonyan & Zisserman 2015, Table 1) for small images.

    Stage ``i`` is a 2x2 max pool (except before the first stage) followed by
    ``stages[i]`` 3x3 convs with ``widths[i]`` channels, so with four stages
    ``features`` returns a map at 1/8 of the input resolution. The paper's three
    4096-wide dense layers held 90% of VGG-16's 138M parameters; here global average
    pooling and one linear layer replace them (Lin et al. 2014, "Network in Network"),
    which is also the head CAM needs. ``batch_norm=True`` (Ioffe & Szegedy 2015, after
    VGG) lets deep stacks train from scratch.

    Args:
        stages: number of 3x3 convs in each stage (VGG-11, config A:
            ``(1, 1, 2, 2, 2)``).
        widths: output channels of each stage (the paper: 64, 128, 256, 512, 512).
        num_classes: number of output logits.
        in_channels: channels of the input image.
        batch_norm: put a BatchNorm after every conv.
        dropout: drop probability before the classifier, in [0, 1].
    """

    def __init__(
        self,
        *,
        stages: Sequence[int] = (1, 1, 2, 2),
        widths: Sequence[int] = (16, 32, 64, 128),
        num_classes: int = 10,
        in_channels: int = 3,
        batch_norm: bool = True,
        dropout: float = 0.0,
    ):
        super().__init__()
        _check_vgg_args(stages, widths, num_classes, in_channels, batch_norm, dropout)
        self.in_channels, self.feature_dim = in_channels, widths[-1]
        body: list[nn.Module] = []
        for i, (n, w) in enumerate(zip(stages, widths)):
            stage = conv3x3_stage(
                widths[i - 1] if i else in_channels, w, n, batch_norm=batch_norm
            )
            body.append(
                nn.Sequential(nn.MaxPool2d(2), *stage) if i else stage
            )  # (B, w, H/2^i, W/2^i)
        self.body = nn.Sequential(*body)
        self.head = nn.Sequential(
            nn.AdaptiveAvgPool2d(1),  # (B, widths[-1], 1, 1)
            nn.Flatten(),  # (B, widths[-1])
            nn.Dropout(dropout),
            nn.Linear(widths[-1], num_classes),  # (B, num_classes)
        )
        self.cam_layer = FeatureTap()

    def stage_maps(self, images: Tensor) -> list[Tensor]:
        """Images ``(B, in_channels, H, W)`` -> one map per stage.

        Stage i gives ``(B, widths[i], H/2^i, W/2^i)``; the last is ``features``.
        """
        check_images("VGG", images, self.in_channels)
        x, maps = images, []
        for stage in self.body:
            x = stage(x)  # (B, w_i, H/2^i, W/2^i)
            maps.append(x)
        return [*maps[:-1], self.cam_layer(maps[-1])]

    def features(self, images: Tensor) -> Tensor:
        """Images ``(B, in_channels, H, W)`` -> last stage ``(B, widths[-1], h, w)``.

        ``h = H/2^(S-1)`` and ``w = W/2^(S-1)`` for S stages.
        """
        return self.stage_maps(images)[-1]  # (B, widths[-1], h, w)

    def forward(self, images: Tensor) -> Tensor:
        """Images ``(B, in_channels, H, W)`` -> logits ``(B, num_classes)``."""
        return self.head(self.features(images))  # (B, num_classes)


def vgg_small(*, num_classes: int = 10, in_channels: int = 3) -> VGG:
    """Six 3x3 convs in four stages, 16 to 128 channels: trains on a 2-core CPU."""
    return VGG(
        stages=(1, 1, 2, 2),
        widths=(16, 32, 64, 128),
        num_classes=num_classes,
        in_channels=in_channels,
    )


def vgg11_small(*, num_classes: int = 10, in_channels: int = 3) -> VGG:
    """VGG-11 (config A: 1, 1, 2, 2, 2 convs per stage) at 1/4 of the paper's widths."""
    return VGG(
        stages=(1, 1, 2, 2, 2),
        widths=(16, 32, 64, 128, 128),
        num_classes=num_classes,
        in_channels=in_channels,
    )


def _check_vgg_args(stages, widths, num_classes, in_channels, batch_norm, dropout):
    check = Checker("VGG")
    check.ints(min_value=1, num_classes=num_classes, in_channels=in_channels)
    check.bool("batch_norm", batch_norm)
    check.range("dropout", dropout, low=0.0, high=1.0)
    check.that(
        isinstance(stages, (tuple, list)) and len(stages) > 0,
        f"stages must be a non-empty tuple of ints, got {stages!r}",
    )
    check.that(
        isinstance(widths, (tuple, list)) and len(widths) == len(stages),
        f"widths must have one entry per stage ({len(stages)}), got {widths!r}",
    )
    for i, (n, w) in enumerate(zip(stages, widths)):
        check.int(f"stages[{i}]", n, min_value=1)
        check.int(f"widths[{i}]", w, min_value=1)

"""VGG: depth from stacks of 3x3 convolutions (Simonyan & Zisserman 2015).

Taught in ``notebooks/01_cnn_vit/``. The paper's argument (Sec. 2.3): two stacked 3x3
convs see a 5x5 window, like one 5x5 conv, with 2 * 9 C^2 = 18 C^2 weights instead of
25 C^2 and one more nonlinearity in between; three see 7x7 with 27 C^2 instead of
49 C^2.
The notebook checks this with ``scratchvision.flops.count_params`` and
``scratchvision.ops.conv.receptive_field``.
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor, nn

from scratchvision.validate import check_choice, check_int, check_range, check_tensor


def conv3x3_stage(
    in_channels: int, out_channels: int, n_convs: int, *, batch_norm: bool
) -> nn.Sequential:
    """``n_convs`` x (3x3 conv, [BatchNorm], ReLU).

    ``(B, in, H, W) -> (B, out, H, W)``.
    """
    layers: list[nn.Module] = []
    for i in range(n_convs):
        cin = in_channels if i == 0 else out_channels
        layers.append(
            nn.Conv2d(cin, out_channels, kernel_size=3, padding=1, bias=not batch_norm)
        )
        if (
            batch_norm
        ):  # a bias before BatchNorm would be cancelled by its mean subtraction
            layers.append(nn.BatchNorm2d(out_channels))
        layers.append(nn.ReLU())
    return nn.Sequential(*layers)


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
        self.in_channels = check_int("in_channels", in_channels, min_value=1, fn="VGG")
        check_int("num_classes", num_classes, min_value=1, fn="VGG")
        check_range("dropout", dropout, low=0.0, high=1.0, fn="VGG")
        if len(stages) == 0 or len(widths) != len(stages):
            raise ValueError(
                f"VGG: widths must have one entry per stage ({len(stages)}), got "
                f"{tuple(widths)!r}"
            )
        for n, w in zip(stages, widths):
            check_int("stages", n, min_value=1, fn="VGG")
            check_int("widths", w, min_value=1, fn="VGG")
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

    @property
    def cam_layer(self) -> nn.Module:
        """The CAM target: the last stage, whose output is ``features(images)``."""
        return self.body[-1]

    def features(self, images: Tensor) -> Tensor:
        """Images ``(B, in_channels, H, W)`` -> last stage ``(B, widths[-1], h, w)``.

        ``h = H/2^(S-1)`` and ``w = W/2^(S-1)`` for S stages.
        """
        check_tensor(
            "images", images, ndim=4, dims="(B, C, H, W)", floating=True, fn="VGG"
        )
        check_choice(
            "images.shape[1] (channels)", images.shape[1], [self.in_channels], fn="VGG"
        )
        return self.body(images)  # (B, widths[-1], h, w)

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

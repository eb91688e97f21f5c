"""AlexNet scaled down to 64x64 images (Krizhevsky, Sutskever & Hinton 2012).

Taught in ``notebooks/01_cnn_vit/``, which uses the ``activation`` and ``dropout`` knobs
to reproduce the paper's two claims: ReLU networks converge several times faster than
tanh ones (Sec. 3.1, Fig. 1), and dropout curbs overfitting of the large dense layers
(Sec. 4.2).

Inspected like every backbone (see ``scratchvision.backbones``): ``features``,
``stage_maps``, ``feature_dim`` and the ``cam_layer`` tap.
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor, nn

from scratchvision.backbones._checks import check_images
from scratchvision.blocks import ACTIVATIONS, FeatureTap
from scratchvision.validate import Checker


class AlexNet(nn.Module):
    """AlexNet (Krizhevsky et al. 2012, Fig. 2): five convs, three dense layers.

    What is kept from the paper: the 5-conv / 3-dense layout, large first kernel with a
    stride, overlapping 3x3 / stride-2 max pooling (Sec. 3.4), ReLU (Sec. 3.1) and
    dropout before the first two dense layers (Sec. 4.2). What is scaled: a 5x5 /
    stride-2 first conv instead of 11x11 / stride 4 for 64x64 inputs, narrower layers,
    and no local response normalisation (later work found it adds little; BatchNorm
    replaced it). An adaptive max pool before the dense layers makes the head
    independent of input size.

    For a 64x64 input: conv1 32x32, pool 16x16, conv2 16x16, pool 8x8, conv3-5 8x8 (the
    ``features`` map), pool 4x4, then the dense head.

    Args:
        in_channels: channels of the input image.
        num_classes: number of output logits.
        widths: output channels of the five convolutions
            (the paper: 96, 256, 384, 384, 256).
        hidden: width of the two hidden dense layers (the paper: 4096).
        activation: ``"relu"`` (the paper), ``"tanh"`` or ``"sigmoid"``.
        dropout: drop probability before each hidden dense layer, in [0, 1]
            (paper: 0.5).
    """

    def __init__(
        self,
        *,
        in_channels: int = 3,
        num_classes: int = 10,
        widths: Sequence[int] = (32, 64, 128, 128, 64),
        hidden: int = 256,
        activation: str = "relu",
        dropout: float = 0.5,
    ):
        super().__init__()
        act, (c1, c2, c3, c4, c5) = _check_alexnet_args(
            in_channels, num_classes, widths, hidden, activation, dropout
        )
        self.in_channels, self.feature_dim = in_channels, c5
        self.body = nn.Sequential(
            nn.Conv2d(in_channels, c1, kernel_size=5, stride=2, padding=2),
            act(),  # (B, c1, H/2, W/2)
            nn.MaxPool2d(3, stride=2, padding=1),  # (B, c1, H/4, W/4)
            nn.Conv2d(c1, c2, kernel_size=5, padding=2),
            act(),
            nn.MaxPool2d(3, stride=2, padding=1),  # (B, c2, H/8, W/8)
            nn.Conv2d(c2, c3, kernel_size=3, padding=1),
            act(),  # (B, c3, H/8, W/8)
            nn.Conv2d(c3, c4, kernel_size=3, padding=1),
            act(),  # (B, c4, H/8, W/8)
            nn.Conv2d(c4, c5, kernel_size=3, padding=1),
            act(),  # (B, c5, H/8, W/8)
        )
        self.head = nn.Sequential(
            nn.AdaptiveMaxPool2d(4),  # (B, c5, 4, 4)
            nn.Flatten(),  # (B, c5 * 16)
            nn.Dropout(dropout),
            nn.Linear(c5 * 16, hidden),
            act(),  # (B, hidden)
            nn.Dropout(dropout),
            nn.Linear(hidden, hidden),
            act(),
            nn.Linear(hidden, num_classes),  # (B, num_classes)
        )

        self.cam_layer = FeatureTap()
        if activation == "relu":
            self.apply(he_init)

    def stage_maps(self, images: Tensor) -> list[Tensor]:
        """Images ``(B, in_channels, H, W)`` -> maps at H/2, H/4 and H/8.

        A stage ends where max pooling halves the resolution: conv1, conv2, and conv5
        (``features(images)``).
        """
        check_images("AlexNet", images, self.in_channels)
        x, maps = images, []
        for layer in self.body:
            if isinstance(layer, nn.MaxPool2d):
                maps.append(x)  # the last map at this resolution
            x = layer(x)
        return [*maps, self.cam_layer(x)]  # ..., (B, c5, H/8, W/8)

    def features(self, images: Tensor) -> Tensor:
        """Images ``(B, in_channels, H, W)`` -> conv5 ``(B, widths[4], H/8, W/8)``."""
        return self.stage_maps(images)[-1]  # (B, c5, H/8, W/8)

    def forward(self, images: Tensor) -> Tensor:
        """Images ``(B, in_channels, H, W)`` -> logits ``(B, num_classes)``."""
        return self.head(self.features(images))  # (B, num_classes)


def _check_alexnet_args(in_channels, num_classes, widths, hidden, activation, dropout):
    """Sizes >= 1, five widths, a known activation; return it and the widths."""
    check = Checker("AlexNet")
    check.ints(min_value=1, in_channels=in_channels, num_classes=num_classes)
    check.int("hidden", hidden, min_value=1)
    check.range("dropout", dropout, low=0.0, high=1.0)
    check.that(
        isinstance(widths, (tuple, list)) and len(widths) == 5,
        f"widths must have 5 entries, got {widths!r}",
    )
    for i, w in enumerate(widths):
        check.int(f"widths[{i}]", w, min_value=1)
    act = ACTIVATIONS[check.choice("activation", activation, ACTIVATIONS)]
    return act, tuple(widths)


def he_init(module: nn.Module) -> None:
    """He et al. 2015 (Eq. 10): ReLU layers' weights of std sqrt(2 / fan_in), no bias.

    PyTorch's default keeps a ReLU layer's output about 2.4x smaller than its input;
    across AlexNet's eight layers without normalisation the logits start a thousand
    times too small and the loss sits at ln 10 for hundreds of steps. The paper's
    N(0, 0.01) has the same problem, which is why its authors set some biases to 1.
    """
    if isinstance(module, (nn.Conv2d, nn.Linear)):
        nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
        nn.init.zeros_(module.bias)

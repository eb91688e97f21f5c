"""LeNet-5: the convolutional network that read cheques (LeCun et al. 1998).

Taught in ``notebooks/01_cnn_vit/`` (chapter 1), where it is trained on scikit-learn's
8x8 digits upsampled to 32x32.

Inspection, the same in every backbone of the course (see ``scratchvision.backbones``):
``body`` maps images to the last spatial feature map and ``head`` maps that map to
logits; ``features(images)`` is that map, ``stage_maps(images)`` the map of every
resolution, and ``cam_layer`` the ``FeatureTap`` that ``record_features`` listens to.
"""

from __future__ import annotations

from torch import Tensor, nn

from scratchvision.backbones._checks import check_images
from scratchvision.blocks import ACTIVATIONS, FeatureTap
from scratchvision.validate import Checker

# LeCun et al. 1998, Table I: the S2 maps each C3 map reads. Six read three neighbouring
# maps, six read four neighbours, three read four non-neighbours, one reads all six;
# "to break the symmetry in the network" and to keep the number of connections down.
C3_TABLE: tuple[tuple[int, ...], ...] = (
    *((i, (i + 1) % 6, (i + 2) % 6) for i in range(6)),
    *((i, (i + 1) % 6, (i + 2) % 6, (i + 3) % 6) for i in range(6)),
    (0, 1, 3, 4),
    (1, 2, 4, 5),
    (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)


class LeNet(nn.Module):
    """LeNet-5 (LeCun et al. 1998, Fig. 2): C1-S2-C3-S4-C5-F6-output.

    The modern reading of the paper: average pooling for the trainable subsampling
    layers S2/S4, every C3 map connected to every S2 map (the paper's sparse table gives
    1,516 instead of 2,416 weights), and a linear output layer instead of RBF units.
    With 1 input channel and 10 classes it has the textbook 61,706 parameters::

        C1  6 x (1*5*5 + 1)    =    156     C5 120 x (16*5*5 + 1) = 48,120
        C3 16 x (6*5*5 + 1)    =  2,416     F6  84 x (120 + 1)    = 10,164
                                            out 10 x (84 + 1)     =    850

    C5 is a convolution whose 5x5 kernel covers its whole 5x5 input, i.e. a fully
    connected layer in disguise; so the last *spatial* map, returned by ``features``, is
    C3's (16 x 10 x 10).

    Args:
        in_channels: channels of the 32x32 input image.
        num_classes: number of output logits.
        activation: ``"tanh"`` (the paper's squashing function), ``"relu"`` or
            ``"sigmoid"``.
    """

    feature_dim = 16  # C3's channels

    def __init__(
        self, *, in_channels: int = 1, num_classes: int = 10, activation: str = "tanh"
    ):
        super().__init__()
        act = _check_lenet_args(in_channels, num_classes, activation)
        self.in_channels = in_channels
        self.body = nn.Sequential(
            nn.Conv2d(in_channels, 6, kernel_size=5),
            act(),  # C1: (B, 6, 28, 28)
            nn.AvgPool2d(2),  # S2: (B, 6, 14, 14)
            nn.Conv2d(6, 16, kernel_size=5),
            act(),  # C3: (B, 16, 10, 10)
        )
        self.head = nn.Sequential(
            nn.AvgPool2d(2),  # S4: (B, 16, 5, 5)
            nn.Conv2d(16, 120, kernel_size=5),
            act(),  # C5: (B, 120, 1, 1)
            nn.Flatten(),  # (B, 120)
            nn.Linear(120, 84),
            act(),  # F6: (B, 84)
            nn.Linear(84, num_classes),  # (B, num_classes)
        )
        self.cam_layer = FeatureTap()

    def stage_maps(self, images: Tensor) -> list[Tensor]:
        """Images ``(B, in_channels, 32, 32)`` -> [C1 ``(B, 6, 28, 28)``, C3 map].

        A stage ends where pooling halves the resolution; the last map is
        ``features(images)``.
        """
        _check_images(images, self.in_channels)
        x, maps = images, []
        for layer in self.body:
            if isinstance(layer, nn.AvgPool2d):
                maps.append(x)  # the last map at this resolution
            x = layer(x)
        return [*maps, self.cam_layer(x)]  # ..., (B, 16, 10, 10)

    def features(self, images: Tensor) -> Tensor:
        """Images ``(B, in_channels, 32, 32)`` -> C3 map ``(B, 16, 10, 10)``."""
        return self.stage_maps(images)[-1]  # (B, 16, 10, 10)

    def forward(self, images: Tensor) -> Tensor:
        """Images ``(B, in_channels, 32, 32)`` -> logits ``(B, num_classes)``."""
        return self.head(self.features(images))  # (B, num_classes)


def _check_lenet_args(in_channels, num_classes, activation) -> type[nn.Module]:
    """Sizes >= 1 and a known activation; return its class."""
    check = Checker("LeNet")
    check.ints(min_value=1, in_channels=in_channels, num_classes=num_classes)
    return ACTIVATIONS[check.choice("activation", activation, ACTIVATIONS)]


def _check_images(images, channels: int) -> None:
    """C5's 5x5 kernel must see all of S4: the images must be 32x32."""
    check_images("LeNet", images, channels)
    Checker("LeNet").that(
        tuple(images.shape[-2:]) == (32, 32),
        f"images must be 32x32 (pad 28x28 digits by 2), got {tuple(images.shape)}",
    )

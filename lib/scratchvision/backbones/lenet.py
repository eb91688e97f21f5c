"""LeNet-5: the convolutional network that read cheques (LeCun et al. 1998).

Taught in ``notebooks/01_cnn_vit/`` (chapter 1), where it is trained on scikit-learn's
8x8 digits upsampled to 32x32.

Inspection, the same in every CNN of the course: ``body`` maps images to the last
spatial feature map and ``head`` maps that map to logits; ``model.features(images)``
returns the map Tensor[B, C, h, w], and ``model.cam_layer`` is the module that outputs
it, the CAM / Grad-CAM target of chapter 3 (hook it with
``model.cam_layer.register_forward_hook``).
"""

from __future__ import annotations

from torch import Tensor, nn

from scratchvision.validate import check_choice, check_int, check_tensor

#: Nonlinearities a chapter-1 model can be built with (shared by LeNet and AlexNet).
ACTIVATIONS: dict[str, type[nn.Module]] = {
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "sigmoid": nn.Sigmoid,
}


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

    def __init__(
        self, *, in_channels: int = 1, num_classes: int = 10, activation: str = "tanh"
    ):
        super().__init__()
        self.in_channels = check_int(
            "in_channels", in_channels, min_value=1, fn="LeNet"
        )
        check_int("num_classes", num_classes, min_value=1, fn="LeNet")
        act = ACTIVATIONS[
            check_choice("activation", activation, ACTIVATIONS, fn="LeNet")
        ]
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

    @property
    def cam_layer(self) -> nn.Module:
        """The CAM target: C3's activation, whose output is ``features(images)``."""
        return self.body[-1]

    def features(self, images: Tensor) -> Tensor:
        """Images ``(B, in_channels, H, W)`` -> C3 map ``(B, 16, H - 22, W - 22)``."""
        check_tensor(
            "images", images, ndim=4, dims="(B, C, H, W)", floating=True, fn="LeNet"
        )
        check_choice(
            "images.shape[1] (channels)",
            images.shape[1],
            [self.in_channels],
            fn="LeNet",
        )
        return self.body(images)  # (B, 16, 10, 10) for a 32x32 input

    def forward(self, images: Tensor) -> Tensor:
        """Images ``(B, in_channels, 32, 32)`` -> logits ``(B, num_classes)``."""
        check_tensor("images", images, ndim=4, dims="(B, C, H, W)", fn="LeNet")
        # C5's 5x5 kernel must see exactly S4's map; pad 28x28 MNIST digits by 2.
        check_choice(
            "images.shape[-2:] (H, W)", tuple(images.shape[-2:]), [(32, 32)], fn="LeNet"
        )
        return self.head(self.features(images))  # (B, num_classes)

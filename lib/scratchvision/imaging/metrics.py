"""The old home of chapter 5's image metrics; they live in ``scratchvision.metrics``.

Kept so that ``from scratchvision.imaging.metrics import random_features`` (used by the
exercise checkers) still works.
"""

from scratchvision.metrics import (
    perceptual_distance,
    psnr,
    random_features,
    ssim,
    vgg16_features,
)

__all__ = ["perceptual_distance", "psnr", "random_features", "ssim", "vgg16_features"]

"""Data augmentation from scratch, on batches of image tensors.

Images are float Tensor[B, C, H, W] in [0, 1]. Every random transform draws per image
from a ``generator=`` it is given (keyword-only, required), so a seeded generator
repeats a batch exactly; the deterministic maths underneath is public too.

- ``geometric``: :func:`hflip`, :func:`vflip` (each image with probability p),
  :func:`resized_crop` (one box per image, resampled bilinearly with ``grid_sample``)
  and :func:`random_resized_crop` (Szegedy et al. 2015's random area and aspect);
- ``photometric``: :func:`adjust_brightness`, :func:`adjust_contrast`,
  :func:`adjust_saturation`, :func:`grayscale`, and the random :func:`color_jitter`
  and :func:`random_grayscale`.

Chapter 2 builds DINO's multi-crop views from them
(``scratchvision.selfsup.views.multi_crop``); chapter 3's augmentation lesson teaches
them, and will add the mixing augmentations (CutMix, MixUp) here.
"""

from scratchvision.augment.geometric import (
    hflip,
    random_resized_crop,
    resized_crop,
    vflip,
)
from scratchvision.augment.photometric import (
    adjust_brightness,
    adjust_contrast,
    adjust_saturation,
    color_jitter,
    grayscale,
    random_grayscale,
)

__all__ = [
    "adjust_brightness",
    "adjust_contrast",
    "adjust_saturation",
    "color_jitter",
    "grayscale",
    "hflip",
    "random_grayscale",
    "random_resized_crop",
    "resized_crop",
    "vflip",
]

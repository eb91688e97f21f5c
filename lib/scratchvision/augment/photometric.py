"""Photometric augmentations: brightness, contrast, saturation, grayscale, jitter.

Each adjustment blends an image ``x`` with a reference image ``r`` made from it,

    out = clamp(f x + (1 - f) r, 0, 1),

with a factor ``f >= 0``: ``f = 1`` leaves the image alone, ``f = 0`` gives the
reference, ``f > 1`` pushes away from it. Brightness blends with black (``r = 0``),
contrast with the mean grey level of the image, saturation with the image's own
grayscale version. This is the maths of torchvision's functional
``adjust_brightness`` / ``adjust_contrast`` / ``adjust_saturation`` (its tests are our
oracle). ``color_jitter`` draws the three factors per image, as the colour
distortion of SimCLR (Chen et al. 2020, App. A) and of DINO's views (Caron et al.
2021, App. B).

Images are float Tensor[B, 3, H, W] in [0, 1] (brightness takes any C). A ``factor``
is one number for the batch or a Tensor[B], one per image.

Taught in ``notebooks/02_self_supervised/`` (DINO lesson) and in chapter 3's
augmentation lesson.
"""

from __future__ import annotations

import torch
from einops import rearrange, repeat

from scratchvision.validate import Checker

LUMA = (0.299, 0.587, 0.114)  # ITU-R BT.601 weights of R, G, B in grey


def grayscale(images: torch.Tensor) -> torch.Tensor:
    """The luma ``0.299 R + 0.587 G + 0.114 B`` of each pixel (ITU-R BT.601), 3 times.

    Args:
        images (Tensor[B, 3, H, W]): RGB.

    Returns:
        Tensor[B, 3, H, W]: three equal channels, so a grey image fits an RGB model.
    """
    _check_images(Checker("grayscale"), images)
    weights = torch.tensor(LUMA, dtype=images.dtype, device=images.device)  # (3,)
    luma = rearrange(images, "b c h w -> b h w c") @ weights  # (B, H, W)
    return repeat(luma, "b h w -> b c h w", c=3)


def adjust_brightness(images: torch.Tensor, factor) -> torch.Tensor:
    """Scale every pixel by ``factor``: a blend with black, ``clamp(f x, 0, 1)``.

    Args:
        images (Tensor[B, C, H, W]): any number of channels.
        factor: a number >= 0, or Tensor[B] of them.

    Returns:
        Tensor[B, C, H, W].
    """
    f = _check_adjust("adjust_brightness", images, factor, rgb=False)
    return _blend(images, torch.zeros_like(images), f)


def adjust_contrast(images: torch.Tensor, factor) -> torch.Tensor:
    """Blend each image with its mean grey level: ``f = 0`` is a flat grey image.

    Args:
        images (Tensor[B, 3, H, W]): RGB.
        factor: a number >= 0, or Tensor[B] of them.

    Returns:
        Tensor[B, 3, H, W].
    """
    f = _check_adjust("adjust_contrast", images, factor)
    mean = grayscale(images).mean(dim=(1, 2, 3), keepdim=True)  # (B, 1, 1, 1)
    return _blend(images, mean, f)


def adjust_saturation(images: torch.Tensor, factor) -> torch.Tensor:
    """Blend each image with its grayscale version: ``f = 0`` drops the colour.

    Args:
        images (Tensor[B, 3, H, W]): RGB.
        factor: a number >= 0, or Tensor[B] of them.

    Returns:
        Tensor[B, 3, H, W].
    """
    f = _check_adjust("adjust_saturation", images, factor)
    return _blend(images, grayscale(images), f)


def color_jitter(
    images: torch.Tensor,
    *,
    brightness: float = 0.4,
    contrast: float = 0.4,
    saturation: float = 0.2,
    p: float = 0.8,
    generator: torch.Generator,
) -> torch.Tensor:
    """Random brightness, contrast and saturation per image, with probability ``p``.

    Each chosen image gets three factors, each uniform in ``[max(0, 1 - s), 1 + s]``
    for its strength ``s``, applied in a fixed order brightness -> contrast ->
    saturation (torchvision's ``ColorJitter`` shuffles the order and adds hue; DINO
    uses strengths 0.4, 0.4, 0.2 and hue 0.1, with p = 0.8). An image not chosen gets
    factors 1, i.e. stays as it is.

    Args:
        images (Tensor[B, 3, H, W]): RGB in [0, 1].
        brightness, contrast, saturation: the strengths ``s``, >= 0.
        p: the probability that an image is jittered, in [0, 1].
        generator: the source of the coin flips and factors.

    Returns:
        Tensor[B, 3, H, W].
    """
    _check_jitter_args(images, brightness, contrast, saturation, p, generator)
    u = torch.rand(4, len(images), generator=generator, device=generator.device)
    u = u.to(images)  # (4, B): the coin, then one uniform per factor
    chosen = u[0] < p  # (B,)
    b, c, s = (
        torch.where(chosen, _factor(strength, u_i), 1.0)
        for strength, u_i in zip((brightness, contrast, saturation), u[1:])
    )  # (B,) each
    images = adjust_brightness(images, b)
    return adjust_saturation(adjust_contrast(images, c), s)


def random_grayscale(
    images: torch.Tensor, *, p: float = 0.2, generator: torch.Generator
) -> torch.Tensor:
    """Turn each image grey (:func:`grayscale`) with probability ``p``.

    Args:
        images (Tensor[B, 3, H, W]): RGB.
        p: the probability that an image turns grey, in [0, 1].
        generator: the source of the B coin flips.

    Returns:
        Tensor[B, 3, H, W].
    """
    _check_random_args("random_grayscale", images, p, generator)
    coins = torch.rand(len(images), generator=generator, device=generator.device)
    grey = rearrange(coins < p, "b -> b 1 1 1").to(images.device)
    return torch.where(grey, grayscale(images), images)


def _factor(strength: float, u: torch.Tensor) -> torch.Tensor:
    """Uniform in ``[max(0, 1 - s), 1 + s]`` from ``u`` uniform in [0, 1)."""
    low = max(0.0, 1 - strength)
    return low + (1 + strength - low) * u


def _blend(images, reference, factor) -> torch.Tensor:
    """``clamp(f x + (1 - f) r, 0, 1)``, the one formula behind every adjustment."""
    return (factor * images + (1 - factor) * reference).clamp(0, 1)


def _check_images(check: Checker, images, *, rgb: bool = True) -> None:
    check.tensor(
        "images", images, ndim=4, dims="(B, C, H, W)", floating=True, finite=True,
        channels=3 if rgb else None,
    )  # fmt: skip


def _check_adjust(fn, images, factor, *, rgb: bool = True):
    """Float images (RGB if ``rgb``), a factor >= 0; return it broadcastable."""
    check = Checker(fn)
    _check_images(check, images, rgb=rgb)
    if not isinstance(factor, torch.Tensor):
        return check.range("factor", factor, low=0.0)
    check.tensor("factor", factor, ndim=1, dims="(B,)", floating=True, finite=True)
    check.that(
        len(factor) == len(images),
        f"factor must be a number or Tensor[B] with B={len(images)}, got shape "
        f"{tuple(factor.shape)}",
    )
    check.that(bool((factor >= 0).all()), "factor must be >= 0, got a negative entry")
    return rearrange(factor.to(images), "b -> b 1 1 1")


def _check_random_args(fn, images, p, generator) -> Checker:
    check = Checker(fn)
    _check_images(check, images)
    check.range("p", p, low=0.0, high=1.0)
    check.that(
        isinstance(generator, torch.Generator),
        f"generator must be a torch.Generator, got {type(generator).__name__}",
    )
    return check


def _check_jitter_args(images, brightness, contrast, saturation, p, generator):
    check = _check_random_args("color_jitter", images, p, generator)
    for name, strength in (("brightness", brightness), ("contrast", contrast),
                           ("saturation", saturation)):  # fmt: skip
        check.range(name, strength, low=0.0)

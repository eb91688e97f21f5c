"""Geometric augmentations on a batch: flips and (random) resized crops.

Every random function draws *per image* from the ``generator`` it is given, so two
calls with generators seeded alike give the same batch. Images are float
Tensor[B, C, H, W]; boxes are ``(x1, y1, x2, y2)`` in continuous pixel coordinates,
where pixel ``(i, j)`` covers ``[j, j + 1] x [i, i + 1]`` (the whole image is the box
``(0, 0, W, H)``).

``random_resized_crop`` is the "Inception-style" crop (Szegedy et al. 2015, Sec. 6;
torchvision's ``RandomResizedCrop``): a random area fraction and aspect ratio, then
the crop is resampled to a fixed size. It makes DINO's global and local views
(``scratchvision.selfsup.views``).

Taught in ``notebooks/02_self_supervised/`` (DINO lesson) and in chapter 3's
augmentation lesson.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from einops import rearrange

from scratchvision.validate import Checker

TRIES = 10  # crop shapes drawn per image before falling back to the whole image


def hflip(
    images: torch.Tensor, *, p: float = 0.5, generator: torch.Generator
) -> torch.Tensor:
    """Mirror each image left-right with probability ``p``.

    Args:
        images (Tensor[B, C, H, W]): the batch.
        p: the probability that an image is flipped, in [0, 1].
        generator: the source of the B coin flips.

    Returns:
        Tensor[B, C, H, W].
    """
    _check_flip_args("hflip", images, p, generator)
    flip = _coins(len(images), p, generator).to(images.device)  # (B,)
    return torch.where(rearrange(flip, "b -> b 1 1 1"), images.flip(-1), images)


def vflip(
    images: torch.Tensor, *, p: float = 0.5, generator: torch.Generator
) -> torch.Tensor:
    """Mirror each image upside down with probability ``p`` (see :func:`hflip`)."""
    _check_flip_args("vflip", images, p, generator)
    flip = _coins(len(images), p, generator).to(images.device)  # (B,)
    return torch.where(rearrange(flip, "b -> b 1 1 1"), images.flip(-2), images)


def resized_crop(
    images: torch.Tensor, boxes: torch.Tensor, size: int | tuple[int, int]
) -> torch.Tensor:
    """Cut one box out of each image and resample it bilinearly to ``size``.

    An affine map sends the output's [-1, 1] square onto the box, in ``grid_sample``'s
    ``align_corners=False`` units (``u = 2 x / W - 1``): output pixel ``j`` of ``w``
    samples the image at ``x = x1 + (j + 1/2) (x2 - x1) / w``, a pixel centre of the
    crop, exactly as ``roi_align(..., aligned=True, sampling_ratio=1)`` does. Samples
    near a box edge read the image beyond the box; beyond the image, its border.
    No antialiasing: a crop shrunk many times aliases.

    Args:
        images (Tensor[B, C, H, W]): the batch.
        boxes (Tensor[B, 4]): one ``(x1, y1, x2, y2)`` box per image, in pixels
            (floats allowed), ``x1 < x2`` and ``y1 < y2``.
        size: the output side, or an ``(h, w)`` pair.

    Returns:
        Tensor[B, C, h, w].
    """
    out_h, out_w = _check_crop_args(images, boxes, size)
    batch, channels, height, width = images.shape
    if batch == 0:  # affine_grid refuses an empty batch; its crops are none
        return images.new_zeros(0, channels, out_h, out_w)
    x1, y1, x2, y2 = boxes.to(images).unbind(dim=-1)  # 4 x (B,)
    zero = torch.zeros_like(x1)
    row_x = torch.stack([(x2 - x1) / width, zero, (x1 + x2) / width - 1], dim=-1)
    row_y = torch.stack([zero, (y2 - y1) / height, (y1 + y2) / height - 1], dim=-1)
    theta = torch.stack([row_x, row_y], dim=1)  # (B, 2, 3)
    grid = F.affine_grid(theta, [batch, channels, out_h, out_w], align_corners=False)
    return F.grid_sample(
        images, grid, mode="bilinear", padding_mode="border", align_corners=False
    )  # (B, C, h, w)


def random_resized_crop(
    images: torch.Tensor,
    size: int | tuple[int, int],
    *,
    scale: tuple[float, float] = (0.08, 1.0),
    ratio: tuple[float, float] = (3 / 4, 4 / 3),
    generator: torch.Generator,
    return_boxes: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """A random box of each image, resampled to ``size`` (Szegedy et al. 2015, Sec. 6).

    Per image: draw an area fraction ``s ~ U(scale)`` and an aspect ``r = w / h``,
    log-uniform in ``ratio``; the box ``w = sqrt(s r H W)``, ``h = sqrt(s H W / r)``
    is kept if it fits, else drawn again; after 10 misses the box is the whole image.
    Its position is uniform among those that fit. Unlike torchvision, the box is not
    rounded to whole pixels: :func:`resized_crop` samples any box exactly, so the
    area fraction and the aspect are exactly in ``scale`` and ``ratio``.

    Args:
        images (Tensor[B, C, H, W]): the batch.
        size: the output side, or an ``(h, w)`` pair.
        scale: the range of the box's area as a fraction of the image's, in (0, 1].
        ratio: the range of the box's aspect ``w / h``, positive.
        generator: the source of every box.
        return_boxes: also return the boxes.

    Returns:
        Tensor[B, C, h, w]; with ``return_boxes``, ``(crops, boxes Tensor[B, 4])``
        with boxes ``(x1, y1, x2, y2)`` in the input's pixels.
    """
    _check_random_crop_args(images, size, scale, ratio, generator, return_boxes)
    batch, _, height, width = images.shape
    boxes = _sample_boxes(batch, height, width, scale, ratio, generator)  # (B, 4)
    crops = resized_crop(images, boxes.to(images.device), size)  # (B, C, h, w)
    return (crops, boxes.to(images.device)) if return_boxes else crops


def _coins(n: int, p: float, generator: torch.Generator) -> torch.Tensor:
    """n coin flips, each True with probability p, on the generator's device."""
    return torch.rand(n, generator=generator, device=generator.device) < p


def _sample_boxes(batch, height, width, scale, ratio, generator) -> torch.Tensor:
    """TRIES crop shapes per image, the first that fits, a uniform position."""
    u = torch.rand(batch, 2 * TRIES + 2, generator=generator, device=generator.device)
    area = height * width * (scale[0] + (scale[1] - scale[0]) * u[:, :TRIES])
    log_lo, log_hi = math.log(ratio[0]), math.log(ratio[1])
    aspect = torch.exp(log_lo + (log_hi - log_lo) * u[:, TRIES : 2 * TRIES])  # (B, T)
    w, h = (area * aspect).sqrt(), (area / aspect).sqrt()  # (B, T) each
    fits = (w <= width) & (h <= height)  # (B, T)
    first = rearrange(fits.float().argmax(dim=1), "b -> b 1")  # the first fit
    found = fits.any(dim=1)  # (B,)
    w = torch.where(found, w.gather(1, first)[:, 0], float(width))  # (B,)
    h = torch.where(found, h.gather(1, first)[:, 0], float(height))  # (B,)
    x1, y1 = u[:, -2] * (width - w), u[:, -1] * (height - h)  # (B,) each
    return torch.stack([x1, y1, x1 + w, y1 + h], dim=-1)  # (B, 4)


def _check_images(check: Checker, images) -> None:
    check.tensor(
        "images", images, ndim=4, dims="(B, C, H, W)", floating=True, finite=True
    )


def _check_generator(check: Checker, generator) -> None:
    check.that(
        isinstance(generator, torch.Generator),
        f"generator must be a torch.Generator, got {type(generator).__name__}",
    )


def _check_flip_args(fn, images, p, generator) -> None:
    check = Checker(fn)
    _check_images(check, images)
    check.range("p", p, low=0.0, high=1.0)
    _check_generator(check, generator)


def _check_crop_args(images, boxes, size) -> tuple[int, int]:
    """One positive-area box per image; return the output (h, w)."""
    check = Checker("resized_crop")
    _check_images(check, images)
    check.tensor("boxes", boxes, ndim=2, dims="(B, 4)", finite=True)
    check.that(
        tuple(boxes.shape) == (images.shape[0], 4),
        f"boxes must be (B, 4) with one box per image, B={images.shape[0]}, got "
        f"shape {tuple(boxes.shape)}",
    )
    x1, y1, x2, y2 = boxes.unbind(dim=-1)
    check.that(
        bool(((x1 < x2) & (y1 < y2)).all()),
        "boxes must be (x1, y1, x2, y2) with x1 < x2 and y1 < y2, got an empty box",
    )
    return check.pair("size", size, min_value=1)


def _check_random_crop_args(images, size, scale, ratio, generator, return_boxes):
    check = Checker("random_resized_crop")
    _check_images(check, images)
    check.pair("size", size, min_value=1)
    _check_interval(check, "scale", scale, high=1.0)
    _check_interval(check, "ratio", ratio)
    _check_generator(check, generator)
    check.bool("return_boxes", return_boxes)


def _check_interval(check: Checker, name: str, value, *, high: float | None = None):
    """A ``(low, high)`` pair of finite numbers with ``0 < low <= high``."""
    ok = isinstance(value, (tuple, list)) and len(value) == 2
    check.that(ok, f"{name} must be a (low, high) pair of numbers, got {value!r}")
    low = check.range(f"{name}[0]", value[0], low=0.0, high=high)
    check.range(f"{name}[1]", value[1], low=low, high=high)
    check.that(low > 0, f"{name} must be positive, got {value!r}")

"""DINO's multi-crop: a few large global views and many small local ones of each image.

"From a given image, we generate a set V of different views ... two global views ...
and several local views of smaller resolution. All crops are passed through the
student while only the global views are passed through the teacher, therefore
encouraging 'local-to-global' correspondences" (Caron et al. 2021, Sec. 3.1; the
multi-crop strategy of Caron et al. 2020, SwAV, Sec. 3.2). Small views are cheap:
a 16 x 16 crop is a quarter of the tokens of a 32 x 32 one.

Each view is ``random_resized_crop`` -> ``hflip`` -> ``color_jitter`` ->
``random_grayscale`` from :mod:`scratchvision.augment`, with DINO's strengths
(Caron et al. 2021, App. B, after BYOL). DINO's Gaussian blur and solarization are
left out: on 32-pixel images a blur erases most of the picture.

Taught in ``notebooks/02_self_supervised/`` (DINO lesson).
"""

from __future__ import annotations

import torch

from scratchvision.augment import (
    color_jitter,
    hflip,
    random_grayscale,
    random_resized_crop,
)
from scratchvision.validate import Checker


def multi_crop(
    images: torch.Tensor,
    *,
    n_global: int = 2,
    n_local: int = 6,
    global_size: int = 32,
    local_size: int = 16,
    global_scale: tuple[float, float] = (0.4, 1.0),
    local_scale: tuple[float, float] = (0.05, 0.4),
    generator: torch.Generator,
) -> list[torch.Tensor]:
    """The views of a batch: ``n_global`` global ones first, then ``n_local`` local.

    DINO (ImageNet, 224 px) uses 2 global views of 224 px covering 40-100 % of the
    image and 10 local views of 96 px covering 5-40 %; the defaults keep those
    fractions for 32 px images. View ``i`` of every image is the same augmentation
    *kind*, drawn independently per image.

    Args:
        images (Tensor[B, 3, H, W]): RGB in [0, 1], any size (e.g. 32 or 64 px).
        n_global, n_local: the numbers of global (>= 1) and local (>= 0) views.
        global_size, local_size: the side of each kind of view, in pixels.
        global_scale, local_scale: ``(low, high)`` area fractions of the crops,
            in (0, 1].
        generator: the source of every crop, flip and colour change.

    Returns:
        list of ``n_global`` Tensor[B, 3, global_size, global_size], then
        ``n_local`` Tensor[B, 3, local_size, local_size].
    """
    _check_multi_crop_args(
        images, n_global, n_local, global_size, local_size, global_scale,
        local_scale, generator,
    )  # fmt: skip
    kinds = [(global_size, global_scale)] * n_global
    kinds += [(local_size, local_scale)] * n_local
    return [_view(images, size, scale, generator) for size, scale in kinds]


def _view(images, size, scale, generator) -> torch.Tensor:
    """One augmented view of each image: crop, flip, colour (App. B of the paper)."""
    view = random_resized_crop(images, size, scale=scale, generator=generator)
    view = hflip(view, p=0.5, generator=generator)  # (B, 3, size, size)
    view = color_jitter(
        view, brightness=0.4, contrast=0.4, saturation=0.2, p=0.8, generator=generator
    )
    return random_grayscale(view, p=0.2, generator=generator)


def _check_multi_crop_args(
    images, n_global, n_local, global_size, local_size, global_scale, local_scale,
    generator,
) -> None:  # fmt: skip
    check = Checker("multi_crop")
    check.tensor(
        "images", images, ndim=4, dims="(B, 3, H, W)", floating=True, finite=True,
        channels=3,
    )  # fmt: skip
    check.ints(min_value=1, n_global=n_global, global_size=global_size)
    check.ints(min_value=1, local_size=local_size)
    check.int("n_local", n_local, min_value=0)
    for name, value in (("global_scale", global_scale), ("local_scale", local_scale)):
        ok = isinstance(value, (tuple, list)) and len(value) == 2
        ok = ok and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                        for v in value)  # fmt: skip
        check.that(
            ok and 0 < value[0] <= value[1] <= 1,
            f"{name} must be a (low, high) pair with 0 < low <= high <= 1, got "
            f"{value!r}",
        )
    check.that(
        isinstance(generator, torch.Generator),
        f"generator must be a torch.Generator, got {type(generator).__name__}",
    )

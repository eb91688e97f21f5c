"""Bad-input cases for ``scratchvision.augment``: flips, crops, colour changes.

See ``tests/contract.py`` for the harness. Empty batches are not bad input for an
augmentation (no images in, no images out), so the cases try ranks, dtypes, channels,
NaN, sizes, probabilities and generators.
"""

from __future__ import annotations

import torch
from contract import (
    IMAGE,
    INTEGER_DTYPE,
    NAN,
    PROBABILITY,
    SIZE,
    TENSOR,
    WRONG_CHANNELS,
    Case,
    Mutation,
)
from scratchvision import augment

GENERATOR = (None, 0, "seed")  # a torch.Generator is required
IMAGES = (*IMAGE, INTEGER_DTYPE)
RGB = (*IMAGES, WRONG_CHANNELS)  # the colour maths needs 3 channels
PAIR = (*SIZE, (4, 0), (2, 3, 4))  # an int or (h, w) pair >= 1
INTERVAL = (0.5, (0.5,), (0.6, 0.2), (0.0, 0.5), (0.1, float("nan")), "ab")
STRENGTH = (-0.1, float("nan"), float("inf"), "0.4")
FACTOR = (
    -0.5,
    float("nan"),
    float("inf"),
    "1",
    torch.tensor([1.0, 1.0, 1.0]),  # not one per image
    torch.tensor([1.0, -1.0]),  # negative
    torch.tensor([1.0, float("nan")]),
    torch.ones(2, 1),  # not 1-D
)
EMPTY_BOX = Mutation("an empty box", lambda t: torch.cat([t[:1], t[:1, [2, 3, 0, 1]]]))
ONE_BOX_SHORT = Mutation("one box too few", lambda t: t[:1])


def images(c=3):
    return torch.rand(2, c, 12, 12, generator=torch.Generator().manual_seed(0))


def gen():
    return torch.Generator().manual_seed(0)


def _flip(name):
    return Case(
        f"augment.{name}",
        getattr(augment, name),
        lambda: {"images": images(), "p": 0.5, "generator": gen()},
        {"images": IMAGES, "p": PROBABILITY, "generator": GENERATOR},
    )


def _adjust(name, bad_images):
    return Case(
        f"augment.{name}",
        getattr(augment, name),
        lambda: {"images": images(), "factor": 1.3},
        {"images": bad_images, "factor": FACTOR},
    )


CASES = [
    _flip("hflip"),
    _flip("vflip"),
    Case(
        "augment.resized_crop",
        augment.resized_crop,
        lambda: {
            "images": images(),
            "boxes": torch.tensor([[0.0, 0.0, 12.0, 12.0], [1.5, 2.0, 7.0, 9.5]]),
            "size": 8,
        },
        {
            "images": IMAGES,
            "boxes": (*TENSOR, NAN, EMPTY_BOX, ONE_BOX_SHORT),
            "size": PAIR,
        },
    ),
    Case(
        "augment.random_resized_crop",
        augment.random_resized_crop,
        lambda: {"images": images(), "size": (8, 6), "generator": gen()},
        {
            "images": IMAGES,
            "size": PAIR,
            "scale": (*INTERVAL, (0.5, 1.5)),
            "ratio": INTERVAL,
            "generator": GENERATOR,
            "return_boxes": ("yes", 1),
        },
    ),
    _adjust("adjust_brightness", IMAGES),  # any number of channels
    _adjust("adjust_contrast", RGB),
    _adjust("adjust_saturation", RGB),
    Case(
        "augment.grayscale",
        augment.grayscale,
        lambda: {"images": images()},
        {"images": RGB},
    ),
    Case(
        "augment.color_jitter",
        augment.color_jitter,
        lambda: {"images": images(), "generator": gen()},
        {
            "images": RGB,
            "brightness": STRENGTH,
            "contrast": STRENGTH,
            "saturation": STRENGTH,
            "p": PROBABILITY,
            "generator": GENERATOR,
        },
    ),
    Case(
        "augment.random_grayscale",
        augment.random_grayscale,
        lambda: {"images": images(), "p": 0.2, "generator": gen()},
        {"images": RGB, "p": PROBABILITY, "generator": GENERATOR},
    ),
]

"""The door check every backbone makes on its images, written once."""

from __future__ import annotations

from typing import Any

import torch

from scratchvision.validate import Checker


def check_images(
    fn: str, images: Any, channels: int, *, multiple: int = 1
) -> torch.Tensor:
    """A finite float batch ``(B, channels, H, W)``, H and W divisible by ``multiple``.

    The finite check runs once per forward, here; the blocks inside check shapes only.
    """
    check = Checker(fn)
    check.tensor(
        "images",
        images,
        ndim=4,
        dims="(B, C, H, W)",
        floating=True,
        channels=channels,
        finite=True,
    )
    check.that(
        images.shape[-2] % multiple == 0 and images.shape[-1] % multiple == 0,
        f"images height and width must be divisible by {multiple}, got shape "
        f"{tuple(images.shape)}",
    )
    return images

"""The guards chapter 5's modules share: images, and odd sizes.

Every image argument of the chapter is a float batch ``Tensor[B, C, H, W]`` or one
image ``Tensor[C, H, W]`` with no NaN or inf (NaN passes every range check and
poisons every mean), so one function checks it, with the caller's name in the message.
"""

from __future__ import annotations

import torch

from scratchvision.validate import check_int, check_tensor

IMAGE_DIMS = "(B, C, H, W) or (C, H, W)"


def check_image(
    img: torch.Tensor, fn: str, *, name: str = "img", nonempty: bool = False
) -> torch.Tensor:
    """The guard of chapter 5's image arguments: float, 3-D or 4-D, no NaN or inf.

    ``nonempty`` also refuses a batch of no images, where a mean would be NaN or a
    NumPy routine would crash.
    """
    return check_tensor(
        name,
        img,
        ndim=(3, 4),
        dims=IMAGE_DIMS,
        floating=True,
        finite=True,
        nonempty=nonempty,
        fn=fn,
    )


def check_odd(name: str, value, fn: str) -> int:
    """Raise a ``ValueError`` unless ``value`` is a positive odd int; return it."""
    check_int(name, value, min_value=1, fn=fn)
    if value % 2 == 0:
        raise ValueError(f"{fn}: {name} must be odd, got {value}")
    return value

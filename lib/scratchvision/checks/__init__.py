"""Exercise checkers: run a reader's function on fixed random cases against a reference.

Every checker prints ``✓ name: all N cases match`` or a short report of the first case
that fails (the call, expected vs got shape, the largest difference, or the exception
the reader's code raised) and returns ``True`` / ``False``. A wrong answer never raises;
an ``fn`` that is not a function does (``ValueError``).

    >>> from scratchvision import checks
    >>> checks.conv2d(my_conv2d)
    ✓ conv2d: all 6 cases match

One module per lesson of chapter 1, one each for chapters 2 and 5, in course order:
``ch1_conv`` (1.1), ``ch1_history`` (1.2), ``ch1_vit`` (1.3), ``ch1_swin`` (1.4),
``ch2_selfsup`` (2.1-2.2), ``ch5_imaging`` (5.1-5.4); ``core`` holds
:func:`compare`, from which every checker is one line. A new chapter adds
``chN_<topic>.py`` and its names here.
"""

from scratchvision.checks.ch1_conv import (
    conv2d,
    conv_output_size,
    im2col,
    max_pool2d,
    receptive_field,
)
from scratchvision.checks.ch1_history import residual_block, stacked_conv_params
from scratchvision.checks.ch1_swin import window_partition, wmsa_flops
from scratchvision.checks.ch1_vit import patchify, vit_tokens
from scratchvision.checks.ch2_selfsup import (
    dino_loss,
    mae_loss,
    random_masking,
    update_center,
)
from scratchvision.checks.ch5_imaging import (
    _wiener_filter,  # noqa: F401  the oracle that tests/test_imaging_recipes.py reuses
    average_frames,
    gan_d_loss,
    noise_sigma,
    perceptual_loss,
    pixel_shuffle,
    wiener_filter,
)
from scratchvision.checks.core import compare

__all__ = [
    "average_frames",
    "compare",
    "conv2d",
    "conv_output_size",
    "dino_loss",
    "gan_d_loss",
    "im2col",
    "mae_loss",
    "max_pool2d",
    "noise_sigma",
    "patchify",
    "perceptual_loss",
    "pixel_shuffle",
    "random_masking",
    "receptive_field",
    "residual_block",
    "stacked_conv_params",
    "update_center",
    "vit_tokens",
    "wiener_filter",
    "window_partition",
    "wmsa_flops",
]

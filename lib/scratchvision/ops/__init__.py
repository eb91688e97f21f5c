"""Pure tensor functions: convolution, pooling, attention, patches and windows.

Each op is written from scratch, documented with its paper and equation, and tested
against a trusted implementation (``torch.nn.functional``, ``torchvision.ops``) for
values and gradients.
"""

from scratchvision.ops.attention import attention
from scratchvision.ops.conv import (
    conv2d,
    conv2d_naive,
    conv_output_size,
    receptive_field,
)
from scratchvision.ops.patches import patchify, unpatchify
from scratchvision.ops.pool import avg_pool2d, max_pool2d
from scratchvision.ops.unfold import im2col
from scratchvision.ops.windows import (
    cyclic_shift,
    shift_regions,
    shifted_window_mask,
    window_partition,
    window_reverse,
)

__all__ = [
    "attention",
    "avg_pool2d",
    "conv2d",
    "conv2d_naive",
    "conv_output_size",
    "cyclic_shift",
    "im2col",
    "max_pool2d",
    "patchify",
    "receptive_field",
    "shift_regions",
    "shifted_window_mask",
    "unpatchify",
    "window_partition",
    "window_reverse",
]

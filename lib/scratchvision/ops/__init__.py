"""Pure functions for every chapter: convolution, pooling, attention, patches, windows.

Each op is written from scratch, documented with its paper and equation, and tested
against a trusted implementation (``torch.nn.functional``, ``torchvision.ops``) for
values and gradients.
"""

from scratchvision.ops.attention import MultiHeadAttention, attention, record_attention
from scratchvision.ops.conv import (
    conv2d,
    conv2d_naive,
    conv_output_size,
    im2col,
    receptive_field,
)
from scratchvision.ops.patches import patchify, unpatchify
from scratchvision.ops.pool import avg_pool2d, max_pool2d
from scratchvision.ops.windows import (
    cyclic_shift,
    shift_regions,
    shifted_window_mask,
    window_partition,
    window_reverse,
)

__all__ = [
    "MultiHeadAttention",
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
    "record_attention",
    "shift_regions",
    "shifted_window_mask",
    "unpatchify",
    "window_partition",
    "window_reverse",
]

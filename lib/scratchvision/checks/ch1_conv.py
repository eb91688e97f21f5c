"""Checkers of lesson 1.1, convolution from scratch.

``notebooks/01_cnn_vit/01_convolution.ipynb``: ``conv2d``, ``im2col``, ``max_pool2d``,
``conv_output_size`` and ``receptive_field``, each against ``torch.nn.functional`` or
the library.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from scratchvision.checks.core import Case, compare
from scratchvision.ops.conv import conv_output_size as _conv_output_size
from scratchvision.ops.conv import receptive_field as _receptive_field
from scratchvision.validate import Checker


def _conv2d_cases(full: bool) -> list[Case]:
    g = torch.Generator().manual_seed(0)

    def randn(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, generator=g)

    # (B, C, H, W, C_out, kh, kw): square, non-square, 1x1 and full-size kernels
    shapes = [
        (1, 1, 5, 5, 1, 3, 3),
        (2, 3, 8, 8, 4, 3, 3),
        (1, 2, 7, 9, 3, 2, 4),
        (3, 1, 6, 5, 2, 1, 1),
        (2, 4, 6, 6, 1, 6, 6),
        (1, 3, 10, 7, 5, 5, 3),
    ]
    cases = [
        ((randn(b, c, h, w), randn(o, c, kh, kw)), {})
        for b, c, h, w, o, kh, kw in shapes
    ]
    if full:  # keyword options, each on its own first, then together
        options = [
            dict(stride=2),
            dict(padding=1),
            dict(dilation=2),
            dict(stride=(2, 1), padding=(0, 2)),
            dict(groups=2),
            dict(bias=True, stride=2, padding=2, dilation=(1, 2), groups=2),
        ]
        for opts in options:
            groups = opts.get("groups", 1)
            if opts.pop("bias", False):
                opts["bias"] = randn(4)
            cases.append(((randn(2, 4, 9, 8), randn(4, 4 // groups, 3, 3)), opts))
    return cases


def conv2d(fn: Callable, *, full: bool = False) -> bool:
    """Check ``fn(x, w)`` against ``F.conv2d``.

    ``full=True`` adds cases with stride, padding, dilation, groups and bias.
    """
    Checker("checks.conv2d").bool("full", full)
    return compare("conv2d", fn, F.conv2d, _conv2d_cases(full))


def _im2col_cases() -> list[Case]:
    g = torch.Generator().manual_seed(1)
    options = [
        dict(),
        dict(stride=2),
        dict(padding=1),
        dict(dilation=2),
        dict(stride=(1, 2), padding=(2, 0)),
    ]
    return [((torch.randn(2, 3, 7, 8, generator=g), (3, 2)), opts) for opts in options]


def im2col(fn: Callable) -> bool:
    """Check an ``im2col`` against ``F.unfold``.

    It is called as ``fn(x, kernel_size, stride=, padding=, dilation=)``.
    """
    return compare("im2col", fn, F.unfold, _im2col_cases())


def _max_pool2d_cases() -> list[Case]:
    g = torch.Generator().manual_seed(2)
    options = [
        ((2,), {}),
        ((3,), {}),
        ((3,), dict(stride=1)),
        ((3,), dict(stride=2, padding=1)),
        (((2, 3),), {}),
    ]
    return [
        ((torch.randn(2, 3, 9, 8, generator=g), *args), opts) for args, opts in options
    ]


def max_pool2d(fn: Callable) -> bool:
    """Check ``fn(x, kernel_size, stride=, padding=)`` against ``F.max_pool2d``."""
    return compare("max_pool2d", fn, F.max_pool2d, _max_pool2d_cases())


# (size, kernel, stride, padding, dilation)
_OUTPUT_SIZE_CASES = [
    (32, 3, 1, 1, 1),
    (32, 3, 2, 1, 1),
    (28, 5, 1, 0, 1),
    (7, 7, 1, 0, 1),
    (224, 7, 2, 3, 1),
    (31, 3, 2, 0, 1),
    (16, 3, 1, 2, 2),
    (10, 4, 3, 1, 2),
]


def conv_output_size(fn: Callable) -> bool:
    """Check ``fn(size, kernel, stride, padding, dilation)`` against the library.

    The reference is ``ops.conv.conv_output_size``.
    """
    return compare(
        "conv_output_size", fn, _conv_output_size, [(c, {}) for c in _OUTPUT_SIZE_CASES]
    )


# stacks of (kernel, stride, dilation), input side first
_RECEPTIVE_FIELD_CASES = [
    [(3, 1, 1)],
    [(3, 1, 1)] * 3,
    [(5, 1, 1), (2, 2, 1), (5, 1, 1), (2, 2, 1)],
    [(7, 2, 1), (3, 2, 1), (3, 1, 1), (3, 1, 1)],
    [(3, 1, 1), (3, 1, 2), (3, 1, 4)],
    [(1, 1, 1), (3, 2, 1)],
]


def receptive_field(fn: Callable) -> bool:
    """Check ``fn(layers)`` against ``ops.conv.receptive_field``."""
    return compare(
        "receptive_field",
        fn,
        _receptive_field,
        [((c,), {}) for c in _RECEPTIVE_FIELD_CASES],
    )

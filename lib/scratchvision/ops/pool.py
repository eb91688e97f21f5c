"""Max and average pooling from scratch, on the windows that ``im2col`` gathers.

Pooling summarises each window of a feature map by one number: its largest value
(max pooling) or its mean (average pooling). With a stride it shrinks the map, and
max pooling makes the result tolerant of small shifts inside a window
(Ranzato et al. 2007; Scherer et al. 2010, "Evaluation of pooling operations in
convolutional architectures for object recognition"). Same semantics as
``torch.nn.functional.max_pool2d`` / ``avg_pool2d`` (``ceil_mode=False``,
``count_include_pad=True``), differentiable through autograd.

Taught in ``notebooks/01_cnn_vit/01_convolution.ipynb``.
"""

from __future__ import annotations

import torch
from einops import rearrange

from scratchvision.ops.unfold import check_fits, im2col, output_hw, window_options
from scratchvision.validate import Checker


def max_pool2d(
    input: torch.Tensor, kernel_size, stride=None, padding=0
) -> torch.Tensor:
    """Largest value of each ``kernel_size`` window; the border is padded with ``-inf``.

    Args:
        input (Tensor[B, C, H, W] or Tensor[C, H, W]): the feature maps.
        kernel_size: an int or an ``(h, w)`` pair.
        stride: an int or pair; ``None`` means ``kernel_size``
            (non-overlapping windows).
        padding: an int or pair, at most half the kernel size.

    Returns:
        Tensor[B, C, out_h, out_w] (without ``B`` for a 3-D input), sizes as in
        ``conv_output_size``.
    """
    windows = _windows("max_pool2d", input, kernel_size, stride, padding, float("-inf"))
    # max, not amax: as in PyTorch, on ties only the first largest entry gets a gradient
    return windows.max(dim=-3).values


def avg_pool2d(
    input: torch.Tensor, kernel_size, stride=None, padding=0
) -> torch.Tensor:
    """Mean of every ``kernel_size`` window; zero padding counts in the mean.

    Same arguments and shapes as ``max_pool2d``.
    """
    return _windows("avg_pool2d", input, kernel_size, stride, padding, 0.0).mean(dim=-3)


def _windows(fn, input, kernel_size, stride, padding, pad_value) -> torch.Tensor:
    """Every pooling window, (B, C, kh*kw, out_h, out_w) (without B for a 3-D input)."""
    x, options = _check_pool_args(fn, input, kernel_size, stride, padding)
    out_h, out_w = output_hw(x, options)
    cols = im2col(x, *options, pad_value=pad_value)  # (B, C*kh*kw, L)
    windows = rearrange(
        cols, "b (c k) (h w) -> b c k h w", c=x.shape[1], h=out_h
    )  # (B, C, kh*kw, out_h, out_w)
    return windows if input.ndim == 4 else windows[0]


def _check_pool_args(fn, input, kernel_size, stride, padding):
    """Check the pooling arguments; return the batched input and the window options."""
    check = Checker(fn)
    dims = "(B, C, H, W) or (C, H, W)"
    check.tensor("input", input, ndim=(3, 4), dims=dims, floating=True)
    stride = (
        kernel_size if stride is None else stride
    )  # default: windows do not overlap
    options = window_options(check, kernel_size, stride, padding, 1)
    kernel, _, padding, _ = options
    # a window of pure padding would have no real value to pool (PyTorch's rule too)
    check.that(
        all(2 * p <= k for p, k in zip(padding, kernel)),
        f"padding must be at most half of kernel_size {kernel}, got {padding}",
    )
    x = input if input.ndim == 4 else input[None]  # (B, C, H, W)
    check_fits(check, x, options, kernel="kernel_size")
    return x, options

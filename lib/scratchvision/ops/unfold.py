"""im2col from scratch: every kernel-sized window of an image, gathered into a column.

Convolution and pooling both look at the same windows: a ``kh x kw`` kernel that
starts every ``stride`` pixels, its taps ``dilation`` apart, on the padded image.
Gathering all windows at once turns convolution into one matrix multiplication
(Chellapilla et al. 2006, "High performance convolutional neural networks for document
processing") and pooling into one reduction. PyTorch calls the same operation
``torch.nn.functional.unfold``.

The window geometry helpers at the bottom (``window_options``, ``check_fits``,
``output_hw``) are shared by ``ops.conv`` and ``ops.pool``.

Taught in ``notebooks/01_cnn_vit/01_convolution.ipynb``.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from einops import rearrange

from scratchvision.validate import Checker


def im2col(
    input: torch.Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    *,
    pad_value: float = 0.0,
) -> torch.Tensor:
    """Gather every kernel-sized window of the image into one column.

    Same result as ``torch.nn.functional.unfold``: column ``l`` holds the window at
    output position ``l`` (row-major), flattened channel first, then kernel row, then
    kernel column.

    Args:
        input (Tensor[B, C, H, W]): the images.
        kernel_size, stride, padding, dilation: an int or an ``(h, w)`` pair each.
        pad_value: what the border is padded with (0 for convolution, ``-inf`` for max
            pooling).

    Returns:
        Tensor[B, C * kh * kw, L] with ``L = out_h * out_w``.
    """
    options = _check_im2col_args(
        input, kernel_size, stride, padding, dilation, pad_value
    )
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = options
    out_h, out_w = output_hw(input, options)
    x = F.pad(input, (pw, pw, ph, ph), value=pad_value)  # (B, C, H + 2ph, W + 2pw)
    rows = _tap_index(out_h, sh, kh, dh, x.device)  # (out_h, kh)
    cols = _tap_index(out_w, sw, kw, dw, x.device)  # (out_w, kw)
    # one gather: the two index grids broadcast to every
    # (window row, tap row, window col, tap col)
    patches = x[
        :, :, rows[:, :, None, None], cols[None, None, :, :]
    ]  # (B, C, out_h, kh, out_w, kw)
    return rearrange(patches, "b c h kh w kw -> b (c kh kw) (h w)")  # (B, C*kh*kw, L)


def _tap_index(n_out, stride, n_taps, dilation, device) -> torch.Tensor:
    """The pixel that tap ``u`` of window ``i`` reads, along one axis.

    ``index[i, u] = i * stride + u * dilation``.
    """
    windows = torch.arange(n_out, device=device)[:, None] * stride  # (n_out, 1)
    return windows + torch.arange(n_taps, device=device) * dilation  # (n_out, n_taps)


def _check_im2col_args(input, kernel_size, stride, padding, dilation, pad_value):
    check = Checker("im2col")
    check.tensor("input", input, ndim=4, dims="(B, C, H, W)")
    options = window_options(check, kernel_size, stride, padding, dilation)
    number = isinstance(pad_value, (int, float)) and not isinstance(pad_value, bool)
    check.that(
        number and not math.isnan(pad_value),  # -inf is fine: max pooling pads with it
        f"pad_value must be a number (not NaN), got {pad_value!r}",
    )
    check_fits(check, input, options, kernel="kernel_size")
    return options


Options = tuple[tuple[int, int], ...]  # kernel_size, stride, padding, dilation


def window_options(check: Checker, kernel_size, stride, padding, dilation) -> Options:
    """Check the four window options; return them as ``(h, w)`` pairs."""
    return (
        check.pair("kernel_size", kernel_size, min_value=1),
        check.pair("stride", stride, min_value=1),
        check.pair("padding", padding, min_value=0),
        check.pair("dilation", dilation, min_value=1),
    )


def check_fits(check: Checker, x: torch.Tensor, options: Options, *, kernel) -> None:
    """Refuse a (dilated) kernel that is larger than the padded input."""
    k, _, p, d = options
    with_dilation = f" with dilation {d}" if d != (1, 1) else ""
    for axis, size, kn, pn, dn in zip(("height", "width"), x.shape[-2:], k, p, d):
        span = dn * (kn - 1) + 1
        check.that(
            size + 2 * pn >= span,
            f"{kernel} {k}{with_dilation} spans {span} pixels of {axis}, but input "
            f"{axis} {size} padded by {pn} is only {size + 2 * pn}",
        )


def output_len(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """``floor((size + 2 padding - dilation (kernel - 1) - 1) / stride) + 1``."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def output_hw(x: torch.Tensor, options: Options) -> tuple[int, int]:
    """Output height and width of a window op on ``x`` (B, C, H, W)."""
    out_h, out_w = map(output_len, x.shape[-2:], *options)
    return out_h, out_w

"""2-D convolution from scratch: a loop over output pixels, and im2col + one matmul.

A convolution layer slides a small kernel over the image and takes a dot product at
every position (LeCun et al. 1998, "Gradient-based learning applied to document
recognition", Sec. II-A). ``conv2d_naive`` writes that sentence as a loop;
``conv2d`` gathers every window into a column (``im2col``, in ``ops/unfold.py``) so
that all the dot products become one matrix multiplication, the way fast libraries do
it (Chellapilla et al. 2006). Both have exactly the semantics of
``torch.nn.functional.conv2d`` and are differentiable through autograd.

Taught in ``notebooks/01_cnn_vit/01_convolution.ipynb``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from einops import rearrange

from scratchvision.ops.unfold import (
    check_fits,
    im2col,
    output_hw,
    output_len,
    window_options,
)
from scratchvision.validate import Checker


def conv_output_size(
    size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    """Length of a convolution's output along one axis.

    A kernel of ``kernel`` taps spaced ``dilation`` apart spans
    ``dilation * (kernel - 1) + 1`` pixels; it fits into the padded input
    ``size + 2 * padding`` at every ``stride``-th start:
    ``floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1`` (the
    formula in the ``torch.nn.Conv2d`` documentation).

    Raises:
        ValueError: if an argument is not an int in range, or the kernel does not fit.
    """
    _check_output_size_args(size, kernel, stride, padding, dilation)
    return output_len(size, kernel, stride, padding, dilation)


def receptive_field(layers: Sequence[tuple[int, int, int]]) -> int:
    """Side length of the input region that one output pixel of a conv stack can see.

    Walking from the input up, each layer widens the field by
    ``dilation * (kernel - 1)`` steps of the current *jump* (the input distance between
    neighbouring pixels of that layer's input), and multiplies the jump by its stride
    (Araujo et al. 2019, "Computing receptive fields of convolutional neural networks",
    Distill).

    Args:
        layers: one ``(kernel, stride, dilation)`` triple per layer, input side first.

    Returns:
        the receptive field in input pixels (1 for an empty stack).
    """
    _check_layers(layers)
    field, jump = 1, 1
    for kernel, stride, dilation in layers:
        field += dilation * (kernel - 1) * jump
        jump *= stride
    return field


def conv2d(
    input: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> torch.Tensor:
    """2-D convolution as im2col + one batched matmul; same semantics as ``F.conv2d``.

    Written out, with stride ``s`` and dilation ``d``::

        out[b, o, i, j] = bias[o]
            + sum_{c, u, v} weight[o, c, u, v] * x[b, c, i*s + u*d, j*s + v*d]

    where ``c`` runs over the input channels of ``o``'s group and ``x`` is the
    zero-padded input.

    Args:
        input (Tensor[B, C, H, W] or Tensor[C, H, W]): the images.
        weight (Tensor[C_out, C / groups, kh, kw]): the kernels.
        bias (Tensor[C_out] or None): added to every output pixel of a channel.
        stride, padding, dilation: an int or an ``(h, w)`` pair each.
        groups: split channels into this many independent convolutions.

    Returns:
        Tensor[B, C_out, out_h, out_w] (without ``B`` for a 3-D input), see
        ``conv_output_size``.
    """
    x, (options, groups) = _check_conv_args(
        "conv2d", input, weight, bias, stride, padding, dilation, groups
    )
    out_h, out_w = output_hw(x, options)
    cols = im2col(x, *options)  # (B, C*kh*kw, L)
    cols = rearrange(cols, "b (g k) l -> b g k l", g=groups)  # (B, g, C/g*kh*kw, L)
    w = rearrange(
        weight, "(g o) c kh kw -> g o (c kh kw)", g=groups
    )  # (g, C_out/g, C/g*kh*kw)
    out = w @ cols  # (B, g, C_out/g, L): one dot product per (kernel, window) pair
    out = rearrange(
        out, "b g o (h w) -> b (g o) h w", h=out_h, w=out_w
    )  # (B, C_out, out_h, out_w)
    if bias is not None:
        out = out + bias[:, None, None]
    return out if input.ndim == 4 else out[0]


def conv2d_naive(
    input: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> torch.Tensor:
    """2-D convolution as an explicit loop over output pixels (slow; for teaching).

    Same arguments, shapes and result as ``conv2d``: at every output position, cut out
    the window the kernel covers and take its dot product with every kernel of the
    group.
    """
    x, (options, groups) = _check_conv_args(
        "conv2d_naive", input, weight, bias, stride, padding, dilation, groups
    )
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = options
    out_h, out_w = output_hw(x, options)
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    x = F.pad(x, (pw, pw, ph, ph))  # (B, C, H + 2ph, W + 2pw)
    w = rearrange(weight, "(g o) c kh kw -> g o c kh kw", g=groups)
    pixels = []
    for i in range(out_h):
        for j in range(out_w):
            top, left = i * sh, j * sw
            window = x[
                :, :, top : top + span_h : dh, left : left + span_w : dw
            ]  # (B, C, kh, kw)
            window = rearrange(window, "b (g c) kh kw -> b g 1 c kh kw", g=groups)
            dots = (window * w).sum(dim=(-3, -2, -1))  # (B, g, C_out/g)
            pixels.append(rearrange(dots, "b g o -> b (g o)"))  # (B, C_out)
    out = rearrange(
        torch.stack(pixels, dim=-1), "b o (h w) -> b o h w", h=out_h
    )  # (B, C_out, out_h, out_w)
    if bias is not None:
        out = out + bias[:, None, None]
    return out if input.ndim == 4 else out[0]


def _check_output_size_args(size, kernel, stride, padding, dilation) -> None:
    check = Checker("conv_output_size")
    check.ints(min_value=0, size=size, padding=padding)
    check.ints(min_value=1, kernel=kernel, stride=stride, dilation=dilation)
    span = dilation * (kernel - 1) + 1
    check.that(
        size + 2 * padding >= span,
        f"kernel spans {span} pixels (kernel={kernel}, dilation={dilation}) but the "
        f"padded input has only {size + 2 * padding} (size={size}, padding={padding})",
    )


def _check_layers(layers) -> None:
    check = Checker("receptive_field")
    check.that(
        isinstance(layers, (list, tuple)),
        f"layers must be a list of (kernel, stride, dilation) triples, got {layers!r}",
    )
    for i, layer in enumerate(layers):
        check.that(
            isinstance(layer, (tuple, list)) and len(layer) == 3,
            f"layers[{i}] must be a (kernel, stride, dilation) triple, got {layer!r}",
        )
        for j, value in enumerate(layer):
            check.int(f"layers[{i}][{j}]", value, min_value=1)


def _check_conv_args(fn, input, weight, bias, stride, padding, dilation, groups):
    """Check conv2d's arguments; return the batched input and the normalised options."""
    check = Checker(fn)
    images, kernels = "(B, C, H, W) or (C, H, W)", "(C_out, C / groups, kh, kw)"
    check.tensor("input", input, ndim=(3, 4), dims=images, floating=True)
    check.tensor("weight", weight, ndim=4, dims=kernels, dtype=input.dtype)
    check.that(weight.numel() > 0, f"weight must not be empty, got {weight.shape}")
    check.int("groups", groups, min_value=1)
    x = input if input.ndim == 4 else input[None]  # (B, C, H, W)
    c, out, c_in = x.shape[1], weight.shape[0], weight.shape[1]
    check.that(
        c % groups == 0 and out % groups == 0,
        f"groups={groups} must divide both input channels ({c}) and "
        f"weight.shape[0] ({out})",
    )
    check.that(
        c_in == c // groups,
        f"weight.shape[1] must be input channels / groups = {c} / {groups} = "
        f"{c // groups}, got weight of shape {tuple(weight.shape)}",
    )
    if bias is not None:
        check.tensor("bias", bias, ndim=1, dims="(C_out,)", dtype=input.dtype)
        check.that(
            bias.shape[0] == out,
            f"bias must have {out} entries (weight.shape[0]), got {bias.shape[0]}",
        )
    options = window_options(check, weight.shape[-2:], stride, padding, dilation)
    check_fits(check, x, options, kernel="weight's kernel")
    return x, (options, groups)

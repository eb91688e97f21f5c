"""2-D convolution from scratch: a loop over output pixels, and im2col + one matmul.

A convolution layer slides a small kernel over the image and takes a dot product at
every position (LeCun et al. 1998, "Gradient-based learning applied to document
recognition", Sec. II-A). ``conv2d_naive`` writes that sentence as a loop;
``conv2d`` gathers every window into a column (``im2col``) so that all the dot
products become one matrix multiplication, the way fast libraries do it
(Chellapilla et al. 2006, "High performance convolutional neural networks for
document processing"). Both have exactly the semantics of
``torch.nn.functional.conv2d`` and are differentiable through autograd.

Taught in ``notebooks/01_cnn_vit/01_convolution.ipynb``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from einops import rearrange

from scratchvision.validate import check_int, check_pair, check_tensor


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
    fn = "conv_output_size"
    check_int("size", size, min_value=0, fn=fn)
    check_int("kernel", kernel, min_value=1, fn=fn)
    check_int("stride", stride, min_value=1, fn=fn)
    check_int("padding", padding, min_value=0, fn=fn)
    check_int("dilation", dilation, min_value=1, fn=fn)
    span = dilation * (kernel - 1) + 1
    if size + 2 * padding < span:
        raise ValueError(
            f"{fn}: kernel spans {span} pixels (kernel={kernel}, dilation={dilation}) "
            f"but the padded input has only {size + 2 * padding} (size={size}, "
            f"padding={padding})"
        )
    return _out_len(size, kernel, stride, padding, dilation)


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
    field, jump = 1, 1
    for i, layer in enumerate(layers):
        if not (isinstance(layer, (tuple, list)) and len(layer) == 3):
            raise ValueError(
                f"receptive_field: layers[{i}] must be a (kernel, stride, dilation) "
                f"triple, got {layer!r}"
            )
        kernel, stride, dilation = (
            check_int(f"layers[{i}][{j}]", v, min_value=1, fn="receptive_field")
            for j, v in enumerate(layer)
        )
        field += dilation * (kernel - 1) * jump
        jump *= stride
    return field


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
    fn = "im2col"
    check_tensor("input", input, ndim=4, dims="(B, C, H, W)", fn=fn)
    kernel = check_pair("kernel_size", kernel_size, min_value=1, fn=fn)
    stride = check_pair("stride", stride, min_value=1, fn=fn)
    padding = check_pair("padding", padding, min_value=0, fn=fn)
    dilation = check_pair("dilation", dilation, min_value=1, fn=fn)
    _check_fits(fn, input, kernel, padding, dilation)
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    out_h, out_w = _output_hw(input, kernel, stride, padding, dilation)
    x = F.pad(input, (pw, pw, ph, ph), value=pad_value)  # (B, C, H + 2ph, W + 2pw)
    rows = _tap_index(out_h, sh, kh, dh, x.device)  # (out_h, kh)
    cols = _tap_index(out_w, sw, kw, dw, x.device)  # (out_w, kw)
    # one gather: the two index grids broadcast to every
    # (window row, tap row, window col, tap col)
    patches = x[
        :, :, rows[:, :, None, None], cols[None, None, :, :]
    ]  # (B, C, out_h, kh, out_w, kw)
    return rearrange(patches, "b c h kh w kw -> b (c kh kw) (h w)")  # (B, C*kh*kw, L)


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
    x, args = _check_conv_args(
        "conv2d", input, weight, bias, stride, padding, dilation, groups
    )
    stride, padding, dilation, groups = args
    out_h, out_w = _output_hw(x, weight.shape[-2:], stride, padding, dilation)
    cols = im2col(x, weight.shape[-2:], stride, padding, dilation)  # (B, C*kh*kw, L)
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
    x, args = _check_conv_args(
        "conv2d_naive", input, weight, bias, stride, padding, dilation, groups
    )
    (sh, sw), (ph, pw), (dh, dw), groups = args
    kh, kw = weight.shape[-2:]
    out_h, out_w = _output_hw(x, (kh, kw), (sh, sw), (ph, pw), (dh, dw))
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


def _tap_index(n_out, stride, n_taps, dilation, device) -> torch.Tensor:
    """The pixel that tap ``u`` of window ``i`` reads, along one axis.

    ``index[i, u] = i * stride + u * dilation``.
    """
    windows = torch.arange(n_out, device=device)[:, None] * stride  # (n_out, 1)
    return windows + torch.arange(n_taps, device=device) * dilation  # (n_out, n_taps)


def _check_fits(fn, x, kernel, padding, dilation) -> None:
    """Raise if the dilated kernel is larger than the padded input."""
    for axis, size, k, p, d in zip(
        ("height", "width"), x.shape[-2:], kernel, padding, dilation
    ):
        if size + 2 * p < d * (k - 1) + 1:
            raise ValueError(
                f"{fn}: kernel {tuple(kernel)} with dilation {tuple(dilation)} spans "
                f"{d * (k - 1) + 1} pixels of {axis}, but input {axis} {size} padded "
                f"by {p} is only {size + 2 * p}"
            )


def _out_len(size, kernel, stride, padding, dilation) -> int:
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def _output_hw(x, kernel, stride, padding, dilation) -> tuple[int, int]:
    out_h, out_w = map(_out_len, x.shape[-2:], kernel, stride, padding, dilation)
    return out_h, out_w


def _check_conv_args(fn, input, weight, bias, stride, padding, dilation, groups):
    """Check conv2d's arguments; return the batched input and the normalised options."""
    check_tensor(
        "input",
        input,
        ndim=(3, 4),
        dims="(B, C, H, W) or (C, H, W)",
        floating=True,
        fn=fn,
    )
    check_tensor(
        "weight",
        weight,
        ndim=4,
        dims="(C_out, C / groups, kh, kw)",
        dtype=input.dtype,
        fn=fn,
    )
    groups = check_int("groups", groups, min_value=1, fn=fn)
    x = input if input.ndim == 4 else input[None]  # (B, C, H, W)
    channels, out_channels = x.shape[1], weight.shape[0]
    if channels % groups or out_channels % groups:
        raise ValueError(
            f"{fn}: groups={groups} must divide both input channels ({channels}) "
            f"and weight.shape[0] ({out_channels})"
        )
    if weight.shape[1] != channels // groups:
        raise ValueError(
            f"{fn}: weight.shape[1] must be input channels / groups = {channels} / "
            f"{groups} = {channels // groups}, got weight of shape "
            f"{tuple(weight.shape)}"
        )
    if bias is not None:
        check_tensor("bias", bias, ndim=1, dims="(C_out,)", dtype=input.dtype, fn=fn)
        if bias.shape[0] != out_channels:
            raise ValueError(
                f"{fn}: bias must have {out_channels} entries (weight.shape[0]), got "
                f"{bias.shape[0]}"
            )
    stride = check_pair("stride", stride, min_value=1, fn=fn)
    padding = check_pair("padding", padding, min_value=0, fn=fn)
    dilation = check_pair("dilation", dilation, min_value=1, fn=fn)
    _check_fits(fn, x, weight.shape[-2:], padding, dilation)
    return x, (stride, padding, dilation, groups)

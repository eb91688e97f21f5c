"""Local windows and shifted windows for Swin Transformer attention.

Swin computes self-attention inside non-overlapping M x M windows, so the cost grows
linearly with the number of tokens (Liu et al. 2021, "Swin Transformer", Sec. 3.2).
Every other block shifts the windows by ``M // 2`` so information crosses window
borders. Instead of padding, the feature map is rolled (a *cyclic shift*, Fig. 4): the
windows stay the same M x M grid, but a window at the border now holds pieces of the map
that are not neighbours in the image; ``shifted_window_mask`` stops those pieces
attending to each other.

All maps are channels-last, ``(B, H, W, C)``, as tokens are.

Taught in ``notebooks/01_cnn_vit/`` (Swin lesson).
"""

from __future__ import annotations

import torch
from einops import rearrange

from scratchvision.validate import Checker


def window_partition(x: torch.Tensor, window: int) -> torch.Tensor:
    """Cut a map into non-overlapping M x M windows, one token sequence per window.

    Args:
        x (Tensor[B, H, W, C]): H and W divisible by ``window``.
        window: side M of a window.

    Returns:
        Tensor[B * nW, M * M, C], windows row-major per image,
        ``nW = (H / M) * (W / M)``.
    """
    _check_partition_args(x, window)
    return rearrange(x, "b (h m1) (w m2) c -> (b h w) (m1 m2) c", m1=window, m2=window)


def window_reverse(
    windows: torch.Tensor, window: int, height: int, width: int
) -> torch.Tensor:
    """Inverse of :func:`window_partition`.

    Args:
        windows (Tensor[B * nW, M * M, C]): as returned by ``window_partition``.
        window: side M of a window.
        height, width: size H, W of the map.

    Returns:
        Tensor[B, H, W, C].
    """
    h, w = _check_reverse_args(windows, window, height, width)
    return rearrange(
        windows,
        "(b h w) (m1 m2) c -> b (h m1) (w m2) c",
        h=h,
        w=w,
        m1=window,
        m2=window,
    )


def cyclic_shift(x: torch.Tensor, shift: int) -> torch.Tensor:
    """Roll a map ``shift`` pixels up and left (Fig. 4); undo it with ``-shift``.

    Args:
        x (Tensor[B, H, W, C]).
        shift: pixels to roll; the top-left ``shift`` rows and columns wrap to the
            bottom-right.

    Returns:
        Tensor[B, H, W, C].
    """
    _check_cyclic_shift_args(x, shift)
    return torch.roll(x, shifts=(-shift, -shift), dims=(1, 2))


def shift_regions(height: int, width: int, window: int, shift: int) -> torch.Tensor:
    """Label which image region each pixel of the cyclically shifted map came from.

    After the shift, the last window row and column mix three bands per axis: pixels
    that were already there, pixels moved in from the middle, and pixels that wrapped
    around. Pixels of different bands were not neighbours, so they must not attend to
    each other.

    Returns:
        LongTensor[H, W] with labels 0..8 (band along H * 3 + band along W).
    """
    _check_shift_args("shift_regions", height, width, window, shift)
    labels = torch.zeros(height, width, dtype=torch.long)
    if shift == 0:
        return labels
    bands = (slice(0, -window), slice(-window, -shift), slice(-shift, None))
    for i, rows in enumerate(bands):
        for j, cols in enumerate(bands):
            labels[rows, cols] = 3 * i + j
    return labels


def shifted_window_mask(
    height: int, width: int, window: int, shift: int
) -> torch.Tensor:
    """Which tokens of a shifted window may attend to which (Liu et al. 2021, Sec. 3.2).

    Args:
        height, width: size H, W of the map (divisible by ``window``).
        window: side M of a window.
        shift: cyclic shift in pixels, ``0 <= shift < window``
            (0 gives an all-True mask).

    Returns:
        BoolTensor[nW, M * M, M * M], True where query and key came from the same region
        (the "keep" convention of :func:`scratchvision.ops.attention.attention`).
    """
    _check_shift_args("shifted_window_mask", height, width, window, shift)
    labels = shift_regions(height, width, window, shift)  # (H, W)
    labels = window_partition(labels[None, :, :, None], window)[..., 0]  # (nW, M*M)
    return labels[:, :, None] == labels[:, None, :]  # (nW, M*M, M*M)


def _check_partition_args(x, window) -> None:
    check = Checker("window_partition")
    check.tensor("x", x, ndim=4, dims="(B, H, W, C)")
    check.int("window", window, min_value=1)
    check.that(
        x.shape[1] % window == 0 and x.shape[2] % window == 0,
        f"x height and width must be divisible by window={window}, got "
        f"H={x.shape[1]}, W={x.shape[2]}",
    )


def _check_reverse_args(windows, window, height, width) -> tuple[int, int]:
    """Check window_reverse's arguments; return the window grid ``(H / M, W / M)``."""
    check = Checker("window_reverse")
    check.tensor("windows", windows, ndim=3, dims="(B*nW, M*M, C)")
    _check_grid(check, height, width, window)
    h, w = height // window, width // window
    check.that(
        windows.shape[0] % (h * w) == 0 and windows.shape[1] == window * window,
        f"windows must have shape (B * {h * w}, {window * window}, C) for "
        f"height={height}, width={width} in {window}x{window} windows, got "
        f"{tuple(windows.shape)}",
    )
    return h, w


def _check_cyclic_shift_args(x, shift) -> None:
    check = Checker("cyclic_shift")
    check.tensor("x", x, ndim=4, dims="(B, H, W, C)")
    check.int("shift", shift)


def _check_shift_args(fn, height, width, window, shift) -> None:
    check = Checker(fn)
    _check_grid(check, height, width, window)
    check.int("shift", shift, min_value=0)
    check.that(shift < window, f"shift must be < window={window}, got {shift}")


def _check_grid(check, height, width, window) -> None:
    """A map of ``height x width`` pixels that ``window x window`` windows tile."""
    check.ints(min_value=1, height=height, width=width, window=window)
    check.that(
        height % window == 0 and width % window == 0,
        f"height and width must be divisible by window={window}, got "
        f"height={height}, width={width}",
    )

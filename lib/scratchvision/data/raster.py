"""Anti-aliased polygon rasterisation: a vectorised scanline fill with supersampling.

A pixel on the edge of a shape is only partly covered. We sample ``s × s`` sub-pixel
centres, decide for each whether it is inside the polygon, and average: the coverage
is then accurate to ``1 / s²``, and thresholding it at 0.5 gives a hard mask.

Inside or outside is the *even-odd rule*: walk along a row of samples from the left;
every polygon edge you cross toggles inside/outside. So for each sample row we
intersect the row with every edge (one ``(rows, edges)`` array), mark each crossing
at the first sample to its right, and a cumulative sum along the row counts the
crossings so far — odd means inside. This is the scanline algorithm of every 2-D
graphics library, written with numpy instead of loops; ``skimage.draw.polygon`` is
the oracle it is tested against.

Convention used everywhere in ``scratchvision.data``: pixel ``(row, col)`` is the
unit square ``[col, col + 1) × [row, row + 1)`` in ``(x, y)`` pixel coordinates, so its
centre is ``(col + 0.5, row + 0.5)``.
"""
from __future__ import annotations

import math

import numpy as np


def scanline_fill(xy: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """Which sample points ``(xs[j], ys[i])`` of a grid lie inside a polygon (even-odd rule).

    Args:
        xy (array[V, 2]): polygon vertices ``(x, y)``; the last connects to the first.
        ys (array[R]): sample row coordinates. xs (array[S]): sample column
            coordinates, equally spaced and increasing.

    Returns:
        array[R, S] bool
    """
    start, end = xy, np.concatenate([xy[1:], xy[:1]])  # (V, 2) each edge start -> end
    above_start = start[None, :, 1] <= ys[:, None]  # (R, V)
    crosses = above_start != (end[None, :, 1] <= ys[:, None])  # (R, V) half-open: no double count
    rows, edges = np.nonzero(crosses)
    a, b = start[edges], end[edges]  # (X, 2) the crossed edges
    x_cross = a[:, 0] + (ys[rows] - a[:, 1]) * (b[:, 0] - a[:, 0]) / (b[:, 1] - a[:, 1])  # (X,)
    step = xs[1] - xs[0] if len(xs) > 1 else 1.0
    first = np.clip(np.ceil((x_cross - xs[0]) / step), 0, len(xs)).astype(np.intp)  # (X,)
    width = len(xs) + 1
    toggles = np.bincount(rows * width + first, minlength=len(ys) * width)
    toggles = toggles.reshape(len(ys), width)[:, :-1]  # (R, S)
    return (np.cumsum(toggles, axis=1) & 1).astype(bool)  # (R, S)


def polygon_coverage(
    xy: np.ndarray, height: int, width: int, *, supersample: int = 4
) -> tuple[np.ndarray, tuple[slice, slice]]:
    """Fraction of each pixel inside a polygon, on the polygon's bounding box.

    Args:
        xy (array[V, 2]): vertices ``(x, y)`` in pixel coordinates.
        height, width: canvas size; the box is clipped to it.
        supersample: sub-pixel samples per axis (1 gives a hard, aliased mask).

    Returns:
        (coverage, window): ``coverage`` (array[h, w] float32 in [0, 1]) for the
        canvas region ``canvas[window]``; empty if the polygon is off the canvas.
    """
    x0 = max(math.floor(xy[:, 0].min()), 0)
    x1 = max(min(math.ceil(xy[:, 0].max()), width), x0)
    y0 = max(math.floor(xy[:, 1].min()), 0)
    y1 = max(min(math.ceil(xy[:, 1].max()), height), y0)
    s, h, w = supersample, y1 - y0, x1 - x0
    window = (slice(y0, y1), slice(x0, x1))
    if h == 0 or w == 0:  # entirely off the canvas
        return np.zeros((h, w), np.float32), window
    offsets = (np.arange(s) + 0.5) / s  # sub-pixel centres within a pixel
    ys = (y0 + np.arange(h)[:, None] + offsets).ravel()  # (h*s,)
    xs = (x0 + np.arange(w)[:, None] + offsets).ravel()  # (w*s,)
    inside = scanline_fill(xy, ys, xs).view(np.uint8)  # (h*s, w*s)
    # Count the inside samples of each s x s block: sub-rows first, then sub-columns.
    # (Two plain reshapes: einops' per-call overhead would cost as much as the fill.)
    counts = inside.reshape(h, s, w * s).sum(axis=1, dtype=np.uint16)  # (h, w*s)
    counts = counts.reshape(h, w, s).sum(axis=2, dtype=np.uint16)  # (h, w)
    return counts * np.float32(1 / s**2), window


def paint(canvas: np.ndarray, coverage: np.ndarray, window: tuple[slice, slice],
          rgb: np.ndarray) -> None:
    """Alpha-blend a flat colour into ``canvas[window]`` in place (the "over" operator).

    Args:
        canvas (array[H, W, 3]): float image, modified in place.
        coverage (array[h, w]): alpha of the new layer on ``window``.
        rgb (array[3]): the layer's colour.
    """
    alpha = coverage[:, :, None]  # (h, w, 1)
    region = canvas[window]
    region += alpha * (rgb - region)

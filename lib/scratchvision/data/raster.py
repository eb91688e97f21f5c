"""Anti-aliased polygon rasterisation with an accumulation buffer.

A pixel on the edge of a shape is only partly covered; its *coverage* (the fraction
inside) is what an anti-aliased renderer paints with. We compute it the way font
rasterisers do (e.g. stb_truetype, font-rs):

1. Cut each pixel row into ``s`` thin sub-rows (supersampling in ``y`` only).
2. Walk along a sub-row from the left. Every polygon edge you cross changes the
   *winding number* by ``+1`` (edge going down) or ``-1`` (going up): it is ``±1``
   inside a simple polygon and ``0`` outside.
3. So write each crossing at ``x`` into a buffer as a step: the pixel containing ``x``
   gets the fraction of it right of ``x``, the next pixel the rest. A cumulative sum
   along the row turns the steps into the exact inside fraction of every pixel of that
   sub-row, and averaging the ``s`` sub-rows gives the coverage.

Every crossing of every sub-row is found at once, as a ``(sub-rows, edges)`` array,
so there is no Python loop. Coverage is exact along ``x`` and accurate to ``1 / s``
along ``y``; ``coverage >= 0.5`` gives a hard mask. Tests compare it with
``skimage.draw.polygon`` on a 16× finer grid.

Convention used everywhere in ``scratchvision.data``: pixel ``(row, col)`` is the
unit square ``[col, col + 1) × [row, row + 1)`` in ``(x, y)`` pixel coordinates, so its
centre is ``(col + 0.5, row + 0.5)``.
"""

from __future__ import annotations

import math

import numpy as np


def _window(xy: np.ndarray, height: int, width: int) -> tuple[slice, slice]:
    """The polygon's bounding box in whole pixels, clipped to the canvas."""
    (x_min, y_min), (x_max, y_max) = xy.min(axis=0), xy.max(axis=0)
    x0, y0 = max(math.floor(x_min), 0), max(math.floor(y_min), 0)
    x1, y1 = (
        max(min(math.ceil(x_max), width), x0),
        max(min(math.ceil(y_max), height), y0),
    )
    return slice(y0, y1), slice(x0, x1)


def polygon_coverage(
    xy: np.ndarray, height: int, width: int, *, supersample: int = 4
) -> tuple[np.ndarray, tuple[slice, slice]]:
    """Fraction of each pixel inside a simple polygon, on the polygon's bounding box.

    Args:
        xy (array[V, 2]): vertices ``(x, y)`` in pixel coordinates, in order around
            the polygon (either direction); the last one connects to the first.
        height, width: canvas size; the box is clipped to it.
        supersample: sub-rows per pixel row.

    Returns:
        (coverage, window): ``coverage`` (array[h, w] float32 in [0, 1]) for the
        canvas region ``canvas[window]``; empty if the polygon is off the canvas.
    """
    window = _window(xy, height, width)
    s, (y0, x0) = supersample, (window[0].start, window[1].start)
    h, w = window[0].stop - y0, window[1].stop - x0
    if h == 0 or w == 0:
        return np.zeros((h, w), np.float32), window
    ys = y0 + (np.arange(h * s) + 0.5) / s  # (R,) sub-row centres, R = h*s
    start, end = xy, np.concatenate([xy[1:], xy[:1]])  # (V, 2) each edge: start -> end
    # An edge crosses a sub-row if exactly one of its ends is below it (half-open, so a
    # vertex on the sub-row is counted once).
    crosses = (start[None, :, 1] <= ys[:, None]) != (
        end[None, :, 1] <= ys[:, None]
    )  # (R, V)
    rows, edges = np.nonzero(crosses)  # (X,) each: one entry per crossing
    a, b = start[edges], end[edges]  # (X, 2)
    x = a[:, 0] + (ys[rows] - a[:, 1]) * (b[:, 0] - a[:, 0]) / (
        b[:, 1] - a[:, 1]
    )  # (X,)
    x = np.minimum(np.maximum(x - x0, 0.0), w)  # window coordinates
    col = x.astype(np.intp)  # the pixel containing the crossing (x >= 0, so floor)
    step = np.where(b[:, 1] > a[:, 1], 1.0, -1.0)  # +1 down, -1 up
    # Accumulation buffer with two spare columns for crossings at the right border.
    index = rows * (w + 2) + col
    buffer = np.bincount(
        np.concatenate([index, index + 1]),
        weights=np.concatenate([step * (col + 1 - x), step * (x - col)]),
        minlength=h * s * (w + 2),
    )
    inside = np.abs(np.cumsum(buffer.reshape(h * s, w + 2)[:, :w], axis=1))  # (R, w)
    coverage = inside.reshape(h, s, w).mean(axis=1)  # (h, w) average of the sub-rows
    return np.minimum(coverage, 1.0).astype(np.float32), window  # min: float round-off


def paint(
    canvas: np.ndarray,
    coverage: np.ndarray,
    window: tuple[slice, slice],
    rgb: np.ndarray,
) -> None:
    """Alpha-blend a flat colour into ``canvas[window]`` in place (the "over" operator).

    Args:
        canvas (array[H, W, 3]): float image, modified in place.
        coverage (array[h, w]): alpha of the new layer on ``window``.
        rgb (array[3]): the layer's colour.
    """
    alpha = coverage[:, :, None]  # (h, w, 1)
    region = canvas[window]
    region += alpha * (rgb - region)

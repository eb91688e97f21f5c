"""The vocabulary of ShapeWorld: shape outlines and named colours.

Every shape is a polygon in its own unit frame: centred on the origin, with its
farthest vertex at distance 1 (so ``scale`` means *circumradius* for every class),
``x`` to the right and ``y`` up. A scene places a shape with :func:`place_polygon`:
stretch (aspect), rotate, scale, translate — the same similarity-plus-stretch
transform a graphics pipeline applies to a sprite.

Shapes were picked so that no two become identical under rotation and the mild
stretch ShapeWorld allows (a square rotated by 45° is not a ``diamond``: the
diamond is a rhombus with axes 1 : 0.6).

The book page ``book/shapeworld.md`` introduces ShapeWorld.
"""

from __future__ import annotations

import math

import numpy as np


def _regular(n: int, phase: float = np.pi / 2) -> np.ndarray:
    """The ``n`` vertices of a regular polygon on the unit circle."""
    t = phase + 2 * np.pi * np.arange(n) / n
    return np.stack([np.cos(t), np.sin(t)], axis=1)  # (V, 2)


def _star(points: int = 5, inner: float = 0.45) -> np.ndarray:
    radius = np.where(np.arange(2 * points) % 2 == 0, 1.0, inner)
    return _regular(2 * points) * radius[:, None]  # (V, 2)


def _heart(n: int = 48) -> np.ndarray:
    # The classic parametric heart curve (x = 16 sin^3 t, y = 13 cos t - ...).
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    x = 16 * np.sin(t) ** 3
    y = 13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t)
    return np.stack([x, y], axis=1)  # (V, 2), normalised by _unit


def _crescent(n: int = 24, offset: float = 0.45, inner: float = 0.85) -> np.ndarray:
    """The unit disk minus a disk of radius ``inner`` centred at ``(offset, 0)``."""
    # The two circles meet at x0 = (1 + offset^2 - inner^2) / (2 offset), y = ±y0.
    x0 = (1 + offset**2 - inner**2) / (2 * offset)
    y0 = np.sqrt(1 - x0**2)
    a = np.arctan2(y0, x0)
    outer = np.linspace(a, 2 * np.pi - a, n)  # the left, visible rim
    b = np.arctan2(y0, x0 - offset)
    hollow = np.linspace(2 * np.pi - b, b, n)[1:-1]  # back along the bite
    return np.concatenate(
        [
            np.stack([np.cos(outer), np.sin(outer)], axis=1),
            np.stack([offset + inner * np.cos(hollow), inner * np.sin(hollow)], axis=1),
        ]
    )  # (V, 2)


def _unit(vertices: np.ndarray) -> np.ndarray:
    """Centre a polygon on its bounding-box centre and scale its circumradius to 1."""
    v = np.asarray(vertices, dtype=np.float64)
    v = v - (v.min(axis=0) + v.max(axis=0)) / 2
    return v / np.linalg.norm(v, axis=1).max()


#: Unit-frame outlines, numpy arrays of shape (V, 2), one per shape class.
SHAPES: dict[str, np.ndarray] = {
    "circle": _unit(_regular(40)),
    "square": _unit(_regular(4, phase=np.pi / 4)),
    "triangle": _unit(_regular(3)),
    "star": _unit(_star()),
    "hexagon": _unit(_regular(6, phase=0.0)),
    "cross": _unit(
        [
            (-1, -0.3),
            (-0.3, -0.3),
            (-0.3, -1),
            (0.3, -1),
            (0.3, -0.3),
            (1, -0.3),
            (1, 0.3),
            (0.3, 0.3),
            (0.3, 1),
            (-0.3, 1),
            (-0.3, 0.3),
            (-1, 0.3),
        ]
    ),
    "heart": _unit(_heart()),
    "diamond": _unit([(0, 1), (0.6, 0), (0, -1), (-0.6, 0)]),
    "arrow": _unit(
        [
            (-1, -0.25),
            (0.2, -0.25),
            (0.2, -0.6),
            (1, 0),
            (0.2, 0.6),
            (0.2, 0.25),
            (-1, 0.25),
        ]
    ),
    "crescent": _unit(_crescent()),
}

#: Named colours as RGB in [0, 1]; saturated so that they read on any background.
COLOURS: dict[str, tuple[float, float, float]] = {
    "red": (0.90, 0.12, 0.10),
    "orange": (1.00, 0.55, 0.05),
    "yellow": (0.98, 0.90, 0.10),
    "green": (0.15, 0.75, 0.20),
    "cyan": (0.10, 0.85, 0.90),
    "blue": (0.12, 0.25, 0.95),
    "purple": (0.55, 0.15, 0.80),
    "pink": (1.00, 0.50, 0.75),
}


def place_polygon(
    vertices: np.ndarray,
    *,
    center: tuple[float, float],
    scale: float,
    angle: float = 0.0,
    aspect: float = 1.0,
) -> np.ndarray:
    """Map a unit-frame outline into image pixels.

    Args:
        vertices (array[V, 2]): ``(x, y)`` in the unit frame, ``y`` up.
        center: ``(x, y)`` of the shape's centre in pixels.
        scale: circumradius in pixels.
        angle: counter-clockwise rotation in radians.
        aspect: width / height stretch, applied before rotation (area is kept).

    Returns:
        array[V, 2]: ``(x, y)`` in pixel coordinates, ``y`` down (image rows).
    """
    sx, sy = math.sqrt(aspect) * scale, scale / math.sqrt(aspect)
    c, s = math.cos(angle), math.sin(angle)
    # diag(sx, sy) @ rotation.T @ diag(1, -1), multiplied out: stretch and scale,
    # rotate, then flip y to point down (rows are vertices, hence the transpose).
    transform = np.array([[c * sx, -s * sx], [-s * sy, -c * sy]])
    return vertices @ transform + np.asarray(center)  # (V, 2)

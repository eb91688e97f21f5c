"""Backgrounds and clutter for ShapeWorld scenes.

Four kinds, from easy to hard for a model that must ignore them:

* ``flat``: one dull colour.
* ``gradient``: a linear ramp between two dull colours, in a random direction.
* ``noise``: smooth "value noise" (random colours on a coarse grid, bilinearly
  upsampled).
* ``texture``: a random crop of a photo or texture bundled with scikit-image
  (brick, grass, gravel, camera, ...), tinted and with its contrast reduced.

Background colours are kept dull (close to gray) and object colours saturated, so an
object never vanishes into its background. *Clutter* (thin sticks and specks that are
not a class) is painted onto the background: it is unlabelled, has background depth,
and objects occlude it.

Every function takes a ``numpy.random.Generator`` and returns a new float32 array
``(H, W, 3)`` in [0, 1].
"""

from __future__ import annotations

import functools

import numpy as np
from einops import rearrange

from scratchvision.data.raster import paint, polygon_coverage
from scratchvision.data.shapes import place_polygon

BACKGROUNDS = ("flat", "gradient", "noise", "texture")
_TEXTURES = (
    "brick",
    "grass",
    "gravel",
    "camera",
    "coins",
    "moon",
    "coffee",
    "chelsea",
    "rocket",
)


def _dull_colour(rng: np.random.Generator) -> np.ndarray:
    """A gray level with a small random tint."""
    return np.clip(rng.uniform(0.15, 0.85) + rng.uniform(-0.12, 0.12, 3), 0, 1)  # (3,)


def flat(rng: np.random.Generator, size: int) -> np.ndarray:
    return np.broadcast_to(_dull_colour(rng).astype(np.float32), (size, size, 3)).copy()


def gradient(rng: np.random.Generator, size: int) -> np.ndarray:
    theta = rng.uniform(0, 2 * np.pi)
    centres = (np.arange(size) + 0.5) / size - 0.5
    t = centres[None, :] * np.cos(theta) + centres[:, None] * np.sin(theta)  # (H, W)
    t = (t - t.min()) / (t.max() - t.min())
    start, end = _dull_colour(rng), _dull_colour(rng)
    return (start + t[:, :, None] * (end - start)).astype(np.float32)  # (H, W, 3)


@functools.lru_cache(maxsize=32)
def _upsample_matrix(size: int, grid: int) -> np.ndarray:
    """Linear-interpolation weights from ``grid`` knots to ``size`` pixels.

    Shape ``(size, grid)``.
    """
    position = (np.arange(size) + 0.5) / size * (grid - 1)
    left = np.minimum(position.astype(int), grid - 2)
    weight = position - left
    matrix = np.zeros((size, grid), np.float32)
    matrix[np.arange(size), left] = 1 - weight
    matrix[np.arange(size), left + 1] = weight
    return matrix


def noise(rng: np.random.Generator, size: int) -> np.ndarray:
    grid = int(rng.integers(3, 9))
    knots = rng.random((3, grid, grid)).astype(np.float32)  # (3, g, g)
    up = _upsample_matrix(size, grid)  # (H, g)
    smooth = up @ knots @ up.T  # (3, H, W): bilinear upsampling is separable
    contrast = rng.uniform(0.2, 0.5)
    image = _dull_colour(rng)[:, None, None] + contrast * (smooth - 0.5)
    return np.clip(rearrange(image, "c h w -> h w c"), 0, 1).astype(
        np.float32
    )  # (H, W, 3)


@functools.lru_cache(maxsize=1)
def _texture_bank() -> tuple[np.ndarray, ...]:
    from scratchvision.data.natural import natural_images

    images = natural_images(names=_TEXTURES)
    return tuple(rearrange(im, "c h w -> h w c").numpy() for im in images.values())


def texture(rng: np.random.Generator, size: int) -> np.ndarray:
    source = _texture_bank()[rng.integers(len(_TEXTURES))]  # (H0, W0, 3)
    # Subsample a crop k times larger than the scene, so texture scale varies too.
    k = int(rng.integers(1, min(4, min(source.shape[:2]) // size) + 1))
    top = rng.integers(source.shape[0] - k * size + 1)
    left = rng.integers(source.shape[1] - k * size + 1)
    crop = source[top : top + k * size : k, left : left + k * size : k]  # (H, W, 3)
    tint = rng.uniform(0.6, 1.0, 3).astype(np.float32)
    return (0.15 + 0.7 * crop * tint).astype(np.float32)


_KINDS = {"flat": flat, "gradient": gradient, "noise": noise, "texture": texture}


def background(kind: str, rng: np.random.Generator, size: int) -> np.ndarray:
    """A ``size × size`` background of one of :data:`BACKGROUNDS`; array (H, W, 3)."""
    return _KINDS[kind](rng, size)


_STICK = np.array([(-1, -0.08), (1, -0.08), (1, 0.08), (-1, 0.08)])


def add_clutter(
    image: np.ndarray, rng: np.random.Generator, count: int, *, supersample: int = 4
) -> None:
    """Paint ``count`` distractors (sticks and specks of random colour) in place.

    Args:
        image (array[H, W, 3]): the background, modified in place.
        count: number of distractors.
    """
    size = image.shape[0]
    for _ in range(count):
        if rng.random() < 0.5:  # a thin stick
            outline, scale = _STICK, rng.uniform(0.08, 0.2) * size
        else:  # a small irregular speck
            angles = np.sort(rng.uniform(0, 2 * np.pi, 7))
            radii = rng.uniform(0.5, 1.0, 7)
            outline = (
                np.stack([np.cos(angles), np.sin(angles)], axis=1) * radii[:, None]
            )
            scale = rng.uniform(0.02, 0.05) * size
        xy = place_polygon(
            outline,
            center=tuple(rng.uniform(0, size, 2)),
            scale=scale,
            angle=rng.uniform(0, 2 * np.pi),
        )
        coverage, window = polygon_coverage(xy, size, size, supersample=supersample)
        paint(image, coverage, window, rng.random(3).astype(np.float32))

"""Where ShapeWorld's objects go: depth order, occlusion and the visible fraction.

Objects are placed nearest first. Each new object lies *behind* all placed ones, so
its visible part is its mask minus theirs, and placing it never hides an earlier one
(the same reasoning as a z-buffer, done front to back). Apparent size is a noisy
depth cue: larger objects tend to be nearer. A position is accepted when at least
``min_visible`` of the object stays visible; after ``_TRIES`` failed positions the
object is dropped, so a crowded scene may hold fewer objects than it drew (the
nearest one always stays).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from scratchvision.data.captions import ObjectInfo, size_word
from scratchvision.data.raster import polygon_coverage
from scratchvision.data.shapes import COLOURS, SHAPES, place_polygon

if TYPE_CHECKING:
    from scratchvision.data.shapeworld import ShapeWorld

_TRIES = 10  # positions tried before an object that would be hidden is dropped


@dataclass
class PlacedObject:
    """An object as ShapeWorld placed it: its label, look and visible pixels."""

    label: int
    info: ObjectInfo
    rgb: np.ndarray
    coverage: np.ndarray  # anti-aliased alpha on `window`
    window: tuple[slice, slice]
    visible: np.ndarray  # (h, w) bool on `window`


def place_objects(world: ShapeWorld, rng: np.random.Generator) -> list[PlacedObject]:
    """Draw ``n`` objects, sort them nearest first and place each behind the others."""
    n = int(rng.integers(world.n_objects[0], world.n_objects[1] + 1))
    low, high = world.scale
    scales = rng.uniform(low, high, n)
    # Nearer objects look bigger: depth falls with scale, plus noise.
    depths = np.clip(
        9 - 8 * (scales - low) / max(high - low, 1e-9) + rng.normal(0, 1, n), 1, 9
    )
    occupied = np.zeros((world.size, world.size), bool)
    placed = []
    for k in np.argsort(depths, kind="stable"):  # nearest first
        obj = _try_place(world, rng, float(scales[k]), float(depths[k]), occupied)
        if obj is not None:
            occupied[obj.window] |= obj.visible
            placed.append(obj)
    return placed


def _try_place(world, rng, scale: float, depth: float, occupied) -> PlacedObject | None:
    """One object at up to ``_TRIES`` random positions; None if it stays too hidden."""
    label = int(rng.integers(len(world.classes)))
    colour = int(rng.integers(len(world.colours)))
    jitter = rng.normal(0, world.colour_jitter, 3)
    rgb = np.clip(np.add(COLOURS[world.colours[colour]], jitter), 0, 1).astype(
        np.float32
    )
    angle = math.radians(rng.uniform(-world.rotation, world.rotation))
    aspect = world.aspect ** rng.uniform(-1, 1)
    outline = place_polygon(
        SHAPES[world.classes[label]],
        center=(0.0, 0.0),
        scale=scale * world.size,
        angle=angle,
        aspect=aspect,
    )
    lo = -outline.min(axis=0)  # (2,) the range of centres that keep it inside
    room = np.maximum(world.size - outline.max(axis=0) - lo, 0)  # (2,)
    for _ in range(_TRIES):
        center = lo + room * rng.random(2)  # (2,)
        coverage, window = polygon_coverage(
            outline + center, world.size, world.size, supersample=world.supersample
        )
        mask = coverage >= 0.5
        visible = mask & ~occupied[window]
        area, seen = np.count_nonzero(mask), np.count_nonzero(visible)
        if area and seen >= world.min_visible * area:
            info = ObjectInfo(
                shape=world.classes[label],
                colour=world.colours[colour],
                size=size_word(scale, *world.scale),
                position=(float(center[0]), float(center[1])),
                depth=depth,
                visible=seen / area,
            )
            return PlacedObject(label, info, rgb, coverage, window, visible)
    return None

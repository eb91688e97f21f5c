"""ShapeWorld: procedurally generated scenes with every label a vision task needs.

A scene is a pure function of ``(world settings, seed)``: coloured shapes on a
background, rendered with anti-aliasing, plus exact ground truth for classification
(labels), detection (boxes), instance and semantic segmentation (masks), depth,
and captioning. Nothing is stored or downloaded; a dataset of a million scenes costs
no disk.

How a scene is made (:meth:`ShapeWorld.scene`):

1. Draw a background (:mod:`~scratchvision.data.backgrounds`) and paint clutter on it.
2. Draw the sizes and depths of ``n`` objects and sort them nearest first. Apparent
   size is a noisy depth cue: larger objects tend to be nearer.
3. Place them front to back, each with a random class, colour, rotation and stretch.
   Each new object lies *behind* all placed ones, so its visible part is its mask minus
   theirs, and placing it never hides an earlier one. A position is accepted when at
   least ``min_visible`` of the object stays visible; after a few failed positions
   the object is dropped, so a crowded scene may hold fewer than ``n`` objects
   (:mod:`~scratchvision.data.placement`).
4. Paint back to front (the painter's algorithm) and add pixel noise.
5. Read off the ground truth (:mod:`~scratchvision.data.scene`, which also states
   the label and box conventions).

The book page ``book/shapeworld.md`` introduces it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
from einops import rearrange

from scratchvision.data.backgrounds import BACKGROUNDS, add_clutter, background
from scratchvision.data.placement import place_objects
from scratchvision.data.raster import paint
from scratchvision.data.scene import Scene, assemble
from scratchvision.data.shapes import COLOURS, SHAPES
from scratchvision.validate import Checker


@dataclass(kw_only=True)
class ShapeWorld:
    """Settings of a synthetic world; :meth:`scene` renders scene number ``seed``.

    Args:
        size: image side in pixels.
        classes: shape names (from ``SHAPES``) that are labelled classes, in label
            order.
        colours: colour names (from ``COLOURS``) objects may take.
        n_objects: ``(low, high)`` objects per scene, both inclusive.
        scale: ``(low, high)`` circumradius as a fraction of ``size`` (at most 0.5).
        rotation: largest rotation in degrees (0 keeps shapes upright).
        aspect: largest stretch factor; stretches are log-uniform in
            ``[1/aspect, aspect]``.
        colour_jitter: std of Gaussian noise added to an object's RGB colour.
        noise: std of Gaussian pixel noise on the final image.
        distractors: ``(low, high)`` unlabelled clutter items per scene.
        background: kinds to draw from, among
            ``("flat", "gradient", "noise", "texture")``.
        min_visible: smallest visible fraction of an object's area (occlusion limit).
        supersample: anti-aliasing sub-samples per pixel axis.
    """

    size: int = 64
    classes: tuple[str, ...] = tuple(SHAPES)
    colours: tuple[str, ...] = tuple(COLOURS)
    n_objects: tuple[int, int] = (1, 3)
    scale: tuple[float, float] = (0.12, 0.3)
    rotation: float = 180.0
    aspect: float = 1.3
    colour_jitter: float = 0.06
    noise: float = 0.03
    distractors: tuple[int, int] = (0, 2)
    background: tuple[str, ...] = BACKGROUNDS
    min_visible: float = 0.5
    supersample: int = 4

    def __post_init__(self):
        for name, value in _check_settings(self).items():
            setattr(self, name, value)  # normalised: tuples of names, pairs as tuples

    def scene(self, seed: int) -> Scene:
        """Render scene ``seed`` (an int >= 0); one seed always gives one scene."""
        Checker("ShapeWorld.scene").int("seed", seed, min_value=0)
        rng = np.random.default_rng(seed)
        canvas = background(
            self.background[rng.integers(len(self.background))], rng, self.size
        )
        add_clutter(
            canvas,
            rng,
            int(rng.integers(self.distractors[0], self.distractors[1] + 1)),
            supersample=self.supersample,
        )
        placed = place_objects(self, rng)
        for obj in reversed(placed):  # painter's algorithm: farthest first
            paint(canvas, obj.coverage, obj.window, obj.rgb)
        if self.noise > 0:
            canvas += self.noise * rng.standard_normal(canvas.shape, dtype=np.float32)
        image = rearrange(
            torch.from_numpy(np.clip(canvas, 0, 1)), "h w c -> c h w"
        )  # (3, H, W)
        return assemble(image.contiguous(), placed, self.size)


def benchmark_scenes(world: ShapeWorld, n: int = 200) -> float:
    """Scenes ``world`` renders per second of CPU time, in this single-threaded process.

    CPU time rather than wall-clock time, so that other work on a busy machine
    does not distort the number.
    """
    _check_benchmark_args(world, n)
    world.scene(0)  # warm-up: loads the texture images once
    start = time.process_time()
    for seed in range(n):
        world.scene(seed)
    return n / max(time.process_time() - start, 1e-9)


def _check_benchmark_args(world, n) -> None:
    check = Checker("benchmark_scenes")
    check.that(
        isinstance(world, ShapeWorld), f"world must be a ShapeWorld, got {world!r}"
    )
    check.int("n", n, min_value=1)


def _check_settings(world: ShapeWorld) -> dict:
    """Check every setting; return the normalised ones (names and pairs as tuples)."""
    check = Checker("ShapeWorld")
    check.int("size", world.size, min_value=8)
    check.int("supersample", world.supersample, min_value=1)
    check.range("rotation", world.rotation, low=0, high=180)
    check.range("aspect", world.aspect, low=1, high=4)
    check.range("colour_jitter", world.colour_jitter, low=0, high=1)
    check.range("noise", world.noise, low=0, high=1)
    check.range("min_visible", world.min_visible, low=1e-3, high=1)
    settings = dict(
        classes=_names(check, "classes", world.classes, SHAPES),
        colours=_names(check, "colours", world.colours, COLOURS),
        background=_names(check, "background", world.background, BACKGROUNDS),
        n_objects=check.pair("n_objects", world.n_objects, min_value=0),
        distractors=check.pair("distractors", world.distractors, min_value=0),
        scale=_float_pair(check, "scale", world.scale, 1e-3, 0.5),
    )
    for name in ("n_objects", "distractors", "scale"):
        low, high = settings[name]
        check.that(low <= high, f"{name} must have low <= high, got {settings[name]}")
    return settings


def _float_pair(check, name: str, value, low: float, high: float) -> tuple:
    check.that(
        isinstance(value, (tuple, list)) and len(value) == 2,
        f"{name} must be a pair (low, high), got {value!r}",
    )
    return tuple(check.range(name, v, low=low, high=high) for v in value)


def _names(check, name: str, value, vocabulary) -> tuple[str, ...]:
    value = (value,) if isinstance(value, str) else tuple(value)
    check.that(
        len(value) > 0 and len(set(value)) == len(value),
        f"{name} must be non-empty without repeats, got {value!r}",
    )
    return tuple(check.choice(name, v, vocabulary) for v in value)

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
   least ``min_visible`` of the object stays visible; after ``_TRIES`` failed positions
   the object is dropped, so a crowded scene may hold fewer than ``n`` objects (the
   nearest one always stays).
4. Paint back to front (the painter's algorithm) and add pixel noise.

Conventions: ``labels`` are **0-based** indices into ``world.classes``; the semantic
map uses ``0`` for background, so ``semantic == label + 1`` on an object's pixels.
Boxes are ``(x1, y1, x2, y2)`` in pixel-edge coordinates: a box holds the pixels
``x1 <= col < x2``, ``y1 <= row < y2`` (so ``x2 - x1`` is the width in pixels).

The book page ``book/shapeworld.md`` introduces it.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import torch
from einops import rearrange

from scratchvision.data.backgrounds import BACKGROUNDS, add_clutter, background
from scratchvision.data.captions import ObjectInfo, caption, size_word
from scratchvision.data.raster import paint, polygon_coverage
from scratchvision.data.shapes import COLOURS, SHAPES, place_polygon
from scratchvision.validate import check_choice, check_int, check_pair, check_range

FAR = 10.0  # depth of the background; objects lie in [1, 9]
_TRIES = 10  # positions tried before an object that would be hidden is dropped


@dataclass
class Scene:
    """One rendered scene and its ground truth (``K`` objects, nearest first).

    Attributes:
        image (Tensor[3, H, W]): float32 RGB in [0, 1].
        boxes (Tensor[K, 4]): float ``(x1, y1, x2, y2)``, the box of each visible mask.
        labels (Tensor[K]): long, 0-based class indices into ``world.classes``.
        masks (Tensor[K, H, W]): bool, the *visible* pixels of each object (disjoint).
        semantic (Tensor[H, W]): long, 0 = background, ``label + 1`` on objects.
        depth (Tensor[H, W]): float32, ``FAR`` on the background.
        objects: one :class:`ObjectInfo` per object (shape, colour, size, position,
            depth).
        caption: e.g. ``"a small red triangle left of a medium blue star"``.
    """

    image: torch.Tensor
    boxes: torch.Tensor
    labels: torch.Tensor
    masks: torch.Tensor
    semantic: torch.Tensor
    depth: torch.Tensor
    objects: tuple[ObjectInfo, ...]
    caption: str


@dataclass
class _Placed:
    label: int
    info: ObjectInfo
    rgb: np.ndarray
    coverage: np.ndarray  # anti-aliased alpha on `window`
    window: tuple[slice, slice]
    visible: np.ndarray  # (h, w) bool on `window`


def _float_pair(name: str, value, low: float, high: float) -> tuple[float, float]:
    if not (isinstance(value, (tuple, list)) and len(value) == 2):
        raise ValueError(
            f"ShapeWorld: {name} must be a pair (low, high), got {value!r}"
        )
    pair = tuple(
        check_range(name, v, low=low, high=high, fn="ShapeWorld") for v in value
    )
    if pair[0] > pair[1]:
        raise ValueError(f"ShapeWorld: {name} must have low <= high, got {value!r}")
    return pair


def _names(name: str, value, vocabulary) -> tuple[str, ...]:
    value = (value,) if isinstance(value, str) else tuple(value)
    if not value or len(set(value)) != len(value):
        raise ValueError(
            f"ShapeWorld: {name} must be non-empty without repeats, got {value!r}"
        )
    return tuple(check_choice(name, v, vocabulary, fn="ShapeWorld") for v in value)


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
        check_int("size", self.size, min_value=8, fn="ShapeWorld")
        self.classes = _names("classes", self.classes, SHAPES)
        self.colours = _names("colours", self.colours, COLOURS)
        self.background = _names("background", self.background, BACKGROUNDS)
        for name in ("n_objects", "distractors"):
            pair = check_pair(name, getattr(self, name), min_value=0, fn="ShapeWorld")
            if pair[0] > pair[1]:
                raise ValueError(
                    f"ShapeWorld: {name} must have low <= high, got {pair}"
                )
            setattr(self, name, pair)
        self.scale = _float_pair("scale", self.scale, 1e-3, 0.5)
        check_range("rotation", self.rotation, low=0, high=180, fn="ShapeWorld")
        check_range("aspect", self.aspect, low=1, high=4, fn="ShapeWorld")
        check_range("colour_jitter", self.colour_jitter, low=0, high=1, fn="ShapeWorld")
        check_range("noise", self.noise, low=0, high=1, fn="ShapeWorld")
        check_range("min_visible", self.min_visible, low=1e-3, high=1, fn="ShapeWorld")
        check_int("supersample", self.supersample, min_value=1, fn="ShapeWorld")

    def scene(self, seed: int) -> Scene:
        """Render scene ``seed`` (an int >= 0); one seed always gives one scene."""
        check_int("seed", seed, min_value=0, fn="ShapeWorld.scene")
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
        placed = self._place_objects(rng)
        for obj in reversed(placed):  # painter's algorithm: farthest first
            paint(canvas, obj.coverage, obj.window, obj.rgb)
        if self.noise > 0:
            canvas += self.noise * rng.standard_normal(canvas.shape, dtype=np.float32)
        image = rearrange(
            torch.from_numpy(np.clip(canvas, 0, 1)), "h w c -> c h w"
        )  # (3, H, W)
        return self._assemble(image.contiguous(), placed)

    def _place_objects(self, rng: np.random.Generator) -> list[_Placed]:
        n = int(rng.integers(self.n_objects[0], self.n_objects[1] + 1))
        low, high = self.scale
        scales = rng.uniform(low, high, n)
        # Nearer objects look bigger: depth falls with scale, plus noise.
        depths = np.clip(
            9 - 8 * (scales - low) / max(high - low, 1e-9) + rng.normal(0, 1, n), 1, 9
        )
        occupied = np.zeros((self.size, self.size), bool)
        placed = []
        for k in np.argsort(depths, kind="stable"):  # nearest first
            obj = self._try_place(rng, float(scales[k]), float(depths[k]), occupied)
            if obj is not None:
                occupied[obj.window] |= obj.visible
                placed.append(obj)
        return placed

    def _try_place(self, rng, scale: float, depth: float, occupied) -> _Placed | None:
        label = int(rng.integers(len(self.classes)))
        colour = int(rng.integers(len(self.colours)))
        jitter = rng.normal(0, self.colour_jitter, 3)
        rgb = np.clip(np.add(COLOURS[self.colours[colour]], jitter), 0, 1).astype(
            np.float32
        )
        angle = math.radians(rng.uniform(-self.rotation, self.rotation))
        aspect = self.aspect ** rng.uniform(-1, 1)
        outline = place_polygon(
            SHAPES[self.classes[label]],
            center=(0.0, 0.0),
            scale=scale * self.size,
            angle=angle,
            aspect=aspect,
        )
        lo = -outline.min(axis=0)  # (2,) the range of centres that keep it inside
        room = np.maximum(self.size - outline.max(axis=0) - lo, 0)  # (2,)
        for _ in range(_TRIES):
            center = lo + room * rng.random(2)  # (2,)
            coverage, window = polygon_coverage(
                outline + center, self.size, self.size, supersample=self.supersample
            )
            mask = coverage >= 0.5
            visible = mask & ~occupied[window]
            area, seen = np.count_nonzero(mask), np.count_nonzero(visible)
            if area and seen >= self.min_visible * area:
                info = ObjectInfo(
                    shape=self.classes[label],
                    colour=self.colours[colour],
                    size=size_word(scale, *self.scale),
                    position=(float(center[0]), float(center[1])),
                    depth=depth,
                    visible=seen / area,
                )
                return _Placed(label, info, rgb, coverage, window, visible)
        return None

    def _assemble(self, image: torch.Tensor, placed: list[_Placed]) -> Scene:
        masks = np.zeros((len(placed), self.size, self.size), bool)  # (K, H, W)
        semantic = np.zeros((self.size, self.size), np.int64)  # (H, W)
        depth = np.full((self.size, self.size), FAR, np.float32)  # (H, W)
        for k, obj in enumerate(placed):
            masks[k][obj.window] = obj.visible
            semantic[obj.window][obj.visible] = (
                obj.label + 1
            )  # visible parts are disjoint
            depth[obj.window][obj.visible] = obj.info.depth
        objects = tuple(obj.info for obj in placed)
        return Scene(
            image=image,
            boxes=torch.tensor([_box(obj) for obj in placed], dtype=torch.float32).view(
                -1, 4
            ),
            labels=torch.tensor(
                [obj.label for obj in placed], dtype=torch.long
            ),  # (K,)
            masks=torch.from_numpy(masks),
            semantic=torch.from_numpy(semantic),
            depth=torch.from_numpy(depth),
            objects=objects,
            caption=caption(objects, self.size),
        )


def _box(obj: _Placed) -> list[int]:
    """The tight pixel-edge box ``[x1, y1, x2, y2]`` of an object's visible pixels."""
    rows = np.flatnonzero(obj.visible.any(axis=1)) + obj.window[0].start
    cols = np.flatnonzero(obj.visible.any(axis=0)) + obj.window[1].start
    return [cols[0], rows[0], cols[-1] + 1, rows[-1] + 1]


def benchmark_scenes(world: ShapeWorld, n: int = 200) -> float:
    """Scenes ``world`` renders per second of CPU time, in this single-threaded process.

    CPU time rather than wall-clock time, so that other work on a busy machine
    does not distort the number.
    """
    check_int("n", n, min_value=1, fn="benchmark_scenes")
    world.scene(0)  # warm-up: loads the texture images once
    start = time.process_time()
    for seed in range(n):
        world.scene(seed)
    return n / max(time.process_time() - start, 1e-9)

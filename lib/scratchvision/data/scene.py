"""A ShapeWorld scene and its ground truth, assembled from the objects placed in it.

:class:`~scratchvision.data.shapeworld.ShapeWorld` decides *where* objects go; this
module turns the placed objects into the labels every task reads: boxes, class labels,
instance masks, a semantic map, a depth map and a caption.

Conventions: ``labels`` are **0-based** indices into ``world.classes``; the semantic
map uses ``0`` for background, so ``semantic == label + 1`` on an object's pixels.
Boxes are ``(x1, y1, x2, y2)`` in pixel-edge coordinates: a box holds the pixels
``x1 <= col < x2``, ``y1 <= row < y2`` (so ``x2 - x1`` is the width in pixels).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from scratchvision.data.captions import ObjectInfo, caption
from scratchvision.data.placement import PlacedObject
from scratchvision.validate import Checker

FAR = 10.0  # depth of the background; objects lie in [1, 9]


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

    def __post_init__(self):
        _check_scene(self)


def assemble(image: torch.Tensor, placed: list[PlacedObject], size: int) -> Scene:
    """The ground truth of a ``size x size`` scene from its objects, nearest first."""
    masks = np.zeros((len(placed), size, size), bool)  # (K, H, W)
    semantic = np.zeros((size, size), np.int64)  # (H, W)
    depth = np.full((size, size), FAR, np.float32)  # (H, W)
    for k, obj in enumerate(placed):
        masks[k][obj.window] = obj.visible
        semantic[obj.window][obj.visible] = obj.label + 1  # visible parts are disjoint
        depth[obj.window][obj.visible] = obj.info.depth
    objects = tuple(obj.info for obj in placed)
    boxes = torch.tensor([_box(obj) for obj in placed], dtype=torch.float32)
    return Scene(
        image=image,
        boxes=boxes.view(-1, 4),  # (K, 4), also for K = 0
        labels=torch.tensor([obj.label for obj in placed], dtype=torch.long),  # (K,)
        masks=torch.from_numpy(masks),
        semantic=torch.from_numpy(semantic),
        depth=torch.from_numpy(depth),
        objects=objects,
        caption=caption(objects, size),
    )


def _box(obj: PlacedObject) -> list[int]:
    """The tight pixel-edge box ``[x1, y1, x2, y2]`` of an object's visible pixels."""
    rows = np.flatnonzero(obj.visible.any(axis=1)) + obj.window[0].start
    cols = np.flatnonzero(obj.visible.any(axis=0)) + obj.window[1].start
    return [cols[0], rows[0], cols[-1] + 1, rows[-1] + 1]


def _check_scene(scene: Scene) -> None:
    """Every field agrees on K (objects) and H, W (pixels)."""
    check = Checker("Scene")
    check.tensor("image", scene.image, ndim=3, dims="(3, H, W)", channels=3)
    check.tensor("image", scene.image, floating=True, finite=True)
    check.tensor("labels", scene.labels, ndim=1, dims="(K,)", dtype=torch.long)
    (k,), (h, w) = scene.labels.shape, scene.image.shape[1:]
    for name, shape, options in (
        ("boxes", (k, 4), dict(floating=True, finite=True)),
        ("masks", (k, h, w), dict(dtype=torch.bool)),
        ("semantic", (h, w), dict(dtype=torch.long)),
        ("depth", (h, w), dict(floating=True)),
    ):
        value = check.tensor(name, getattr(scene, name), **options)
        check.that(
            tuple(value.shape) == shape,
            f"{name} must have shape {shape} (K={k} labels, image {h}x{w}), got "
            f"{tuple(value.shape)}",
        )
    objects = scene.objects
    check.that(
        isinstance(objects, tuple) and len(objects) == k,
        f"objects must be a tuple of {k} ObjectInfo (one per label), got {objects!r}",
    )
    check.that(
        isinstance(scene.caption, str),
        f"caption must be a str, got {scene.caption!r}",
    )

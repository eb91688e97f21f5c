"""PyTorch ``Dataset`` views of a ShapeWorld, one per task.

A ShapeWorld scene is a pure function of its seed, so a dataset is just a range of
seeds: item ``i`` of a split is ``world.scene(SPLITS[split] + seed + i)``. Nothing is
stored (``cache=True`` keeps rendered items in memory for small sets that are read
every epoch), and two runs see identical data.

Splits use disjoint seed ranges of ``SPLIT_SIZE`` seeds each::

    train: [0, 10^7)     val: [10^7, 2·10^7)     test: [2·10^7, 3·10^7)

so no choice of ``seed`` and ``n`` can make a validation scene appear in training.

All four datasets take the same arguments::

    ShapeX(world, n, *, seed=0, split="train", transform=None, cache=False)

``world``: a :class:`ShapeWorld`; ``n``: number of items; ``seed``: first seed within
the split (two sets with ``seed=0`` and ``seed=n`` are disjoint); ``transform``: see
each class; ``cache``: keep items in memory (shared, so do not modify them in place).

The book page ``book/shapeworld.md`` introduces ShapeWorld.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch.utils.data import Dataset

from scratchvision.data.scene import Scene
from scratchvision.data.shapeworld import ShapeWorld
from scratchvision.validate import Checker

SPLIT_SIZE = 10_000_000
SPLITS = {"train": 0, "val": SPLIT_SIZE, "test": 2 * SPLIT_SIZE}


class _SceneDataset(Dataset):
    """Shared machinery: seeds, splits, an optional cache.

    Subclasses define :meth:`item`.
    """

    def __init__(
        self,
        world: ShapeWorld,
        n: int,
        *,
        seed: int = 0,
        split: str = "train",
        transform: Callable | None = None,
        cache: bool = False,
    ):
        _check_dataset_args(
            type(self).__name__, world, n, seed, split, transform, cache
        )
        self.world, self.n, self.transform = world, n, transform
        self.first_seed = SPLITS[split] + seed
        self._cache: dict[int, object] | None = {} if cache else None

    def __len__(self) -> int:
        return self.n

    def seed_of(self, index: int) -> int:
        """The ShapeWorld seed of item ``index``."""
        if not -self.n <= index < self.n:
            raise IndexError(
                f"index {index} out of range for a dataset of length {self.n}"
            )
        return self.first_seed + index % self.n

    def __getitem__(self, index: int):
        seed = self.seed_of(index)
        if self._cache is not None and seed in self._cache:
            item = self._cache[seed]
        else:
            item = self.item(self.world.scene(seed))
            if self._cache is not None:
                self._cache[seed] = (
                    item  # cached before the transform: augmentation stays random
                )
        return item if self.transform is None else self.augment(item)

    def item(self, scene: Scene):
        """The task's view of a scene, before any transform."""
        raise NotImplementedError

    def augment(self, item):
        """Apply ``self.transform`` the way the task's docstring says."""
        raise NotImplementedError


class ShapeClassification(_SceneDataset):
    """``(image Tensor[3, H, W], label int)``: the class of the largest visible object.

    Use a one-object world (:func:`shapeworld_classify`) for an unambiguous label.
    ``transform(image) -> image``.
    """

    def item(self, scene: Scene):
        if len(scene.labels) == 0:
            raise ValueError(
                "ShapeClassification: world must put at least one object in "
                "every scene, got a world with n_objects "
                f"{self.world.n_objects}"
            )
        largest = int(scene.masks.flatten(1).sum(1).argmax())
        return scene.image, int(scene.labels[largest])

    def augment(self, item):
        return self.transform(item[0]), item[1]


class ShapeDetection(_SceneDataset):
    """``(image Tensor[3, H, W], target)`` with ``target`` a dict of
    ``boxes`` (Tensor[K, 4] xyxy pixels), ``labels`` (Tensor[K] long, 0-based) and
    ``masks`` (Tensor[K, H, W] bool). Batch with :func:`collate_detection`.
    ``transform(image, target) -> (image, target)``, so geometry can move boxes too.
    """

    def item(self, scene: Scene):
        return scene.image, {
            "boxes": scene.boxes,
            "labels": scene.labels,
            "masks": scene.masks,
        }

    def augment(self, item):
        return self.transform(*item)


class ShapeSegmentation(_SceneDataset):
    """``(image Tensor[3, H, W], semantic Tensor[H, W] long)``; 0 is background, class
    ``c`` is ``c + 1``. ``transform(image, semantic) -> (image, semantic)``.
    """

    def item(self, scene: Scene):
        return scene.image, scene.semantic

    def augment(self, item):
        return self.transform(*item)


class ShapeUnlabeled(_SceneDataset):
    """Images only, ``Tensor[3, H, W]``, for self-supervised learning.
    ``transform(image)`` may return anything (e.g. two augmented views).
    """

    def item(self, scene: Scene):
        return scene.image

    def augment(self, item):
        return self.transform(item)


def collate_detection(
    batch: list[tuple[torch.Tensor, dict]],
) -> tuple[torch.Tensor, list[dict]]:
    """Stack images (all one size), keep targets as a list: ``K`` varies per image.

    Returns:
        (images Tensor[B, 3, H, W], targets: list of ``B`` dicts)
    """
    _check_batch(batch)
    images, targets = zip(*batch)
    return torch.stack(images), list(targets)  # (B, 3, H, W)


def _check_dataset_args(fn, world, n, seed, split, transform, cache) -> None:
    check = Checker(fn)
    check.that(
        isinstance(world, ShapeWorld),
        f"world must be a ShapeWorld, got {type(world).__name__}",
    )
    check.int("n", n, min_value=0)
    check.int("seed", seed, min_value=0)
    check.choice("split", split, SPLITS)
    check.callable("transform", transform, optional=True)
    check.bool("cache", cache)
    check.that(
        seed + n <= SPLIT_SIZE,
        f"seed + n must be <= {SPLIT_SIZE} so that splits stay disjoint, got "
        f"seed={seed}, n={n}",
    )


def _check_batch(batch) -> None:
    check = Checker("collate_detection")
    check.that(
        isinstance(batch, (list, tuple)) and len(batch) > 0,
        f"batch must be a non-empty list of (image, target) pairs, got {batch!r:.80}",
    )
    for i, item in enumerate(batch):
        check.that(
            isinstance(item, (tuple, list)) and len(item) == 2,
            f"batch[{i}] must be an (image, target) pair, got {type(item).__name__}",
        )
        check.tensor(f"batch[{i}][0]", item[0], ndim=3, dims="(3, H, W)")
        check.that(
            isinstance(item[1], dict),
            f"batch[{i}][1] must be a target dict, got {type(item[1]).__name__}",
        )
        check.that(
            item[0].shape == batch[0][0].shape,
            f"batch images must all have one size, got {tuple(batch[0][0].shape)} "
            f"and {tuple(item[0].shape)} (batch[{i}][0])",
        )

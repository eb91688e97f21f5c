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

from scratchvision.data.shapeworld import Scene, ShapeWorld
from scratchvision.validate import check_choice, check_int

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
        fn = type(self).__name__
        if not isinstance(world, ShapeWorld):
            raise ValueError(
                f"{fn}: world must be a ShapeWorld, got {type(world).__name__}"
            )
        check_int("n", n, min_value=0, fn=fn)
        check_int("seed", seed, min_value=0, fn=fn)
        check_choice("split", split, SPLITS, fn=fn)
        if seed + n > SPLIT_SIZE:
            raise ValueError(
                f"{fn}: seed + n must be <= {SPLIT_SIZE} so that splits stay "
                f"disjoint, got seed={seed}, n={n}"
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
    if not batch:
        raise ValueError("collate_detection: batch must not be empty")
    images, targets = zip(*batch)
    return torch.stack(images), list(targets)  # (B, 3, H, W)

"""Streams of ShapeWorld classification batches: fresh scenes at every step.

A ShapeWorld can render as many scenes as training wants, so a recipe need not pass
over a small fixed set many times (where small models overfit and large ones starve).
:func:`classification_stream` yields batches without end. Scenes are rendered in
*chunks* of consecutive seeds, each chunk once, and kept on disk as uint8 so that the
next recipe at the same image size reads them instead of rendering them again::

    ~/.cache/scratchvision/shapeworld/<world>-<split>-<first seed>-<n>.pt

(``SCRATCHVISION_CACHE`` moves the folder). With ``n_scenes=None`` every batch holds
scenes no earlier batch held; with ``n_scenes=N`` the stream cycles over the first N
scenes of the split, reshuffled every pass: the fixed training sets of a data-hunger
experiment. ``augment=True`` applies a random symmetry of the square (flips and
transposes, the dihedral group of 8) to each image: every ShapeWorld class keeps its
name under a mirror or a quarter turn.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import torch

from scratchvision.data.datasets import SPLITS, ShapeClassification
from scratchvision.data.shapeworld import ShapeWorld
from scratchvision.validate import Checker

RENDER_VERSION = 1  # part of every cache key: bump it when the renderer changes


def cache_dir() -> Path:
    """Where rendered chunks are kept (``$SCRATCHVISION_CACHE/shapeworld``)."""
    root = os.environ.get("SCRATCHVISION_CACHE", "~/.cache/scratchvision")
    return Path(root).expanduser() / "shapeworld"


def render_scenes(
    world: ShapeWorld, n: int, *, split: str = "train", seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Scenes ``seed .. seed+n-1`` of a split as (uint8 Tensor[n, 3, H, W], Tensor[n]).

    Read from the cache when an earlier call rendered them; written there otherwise.
    """
    _check_render_args(world, n, split, seed)
    key = hashlib.sha256(f"{RENDER_VERSION}{world!r}".encode()).hexdigest()[:12]
    path = cache_dir() / f"{key}-{split}-{seed}-{n}.pt"
    if path.exists():
        images, labels = torch.load(path, weights_only=True)
        return images, labels
    dataset = ShapeClassification(world, n, seed=seed, split=split)
    images, labels = zip(*(dataset[i] for i in range(n)))
    images = (torch.stack(images) * 255).round().to(torch.uint8)  # (n, 3, H, W)
    labels = torch.as_tensor(labels)  # (n,)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    torch.save((images, labels), partial)
    partial.replace(path)  # atomic: a parallel recipe never reads half a file
    return images, labels


def dihedral(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """A random flip / transpose of each square image (Tensor[B, C, S, S])."""
    _check_dihedral_args(images, generator)
    flips = torch.rand(3, images.shape[0], generator=generator) < 0.5  # (3, B)
    images = torch.where(flips[0, :, None, None, None], images.flip(-1), images)
    images = torch.where(flips[1, :, None, None, None], images.flip(-2), images)
    return torch.where(
        flips[2, :, None, None, None], images.transpose(-1, -2), images
    )  # (B, C, S, S)


def classification_stream(
    world: ShapeWorld,
    *,
    batch_size: int = 64,
    n_scenes: int | None = None,
    augment: bool = False,
    chunk: int = 4096,
    seed: int = 0,
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Endless (images Tensor[B, 3, H, W] in [0, 1], labels Tensor[B]) training batches.

    Args:
        world: the ShapeWorld to render (its ``train`` split).
        batch_size: B.
        n_scenes: None for fresh scenes at every step; N to cycle over N scenes.
        augment: a random dihedral symmetry per image.
        chunk: scenes rendered (or read from the cache) at a time.
        seed: order of the batches and of the augmentation.
    """
    _check_stream_args(world, batch_size, n_scenes, augment, chunk, seed)
    return _batches(world, batch_size, n_scenes, augment, chunk, seed)


def _batches(world, batch_size, n_scenes, augment, chunk, seed) -> Iterator:
    """The generator behind :func:`classification_stream` (checked before it starts)."""
    generator = torch.Generator().manual_seed(seed)
    start = 0
    while True:
        n = chunk if n_scenes is None else n_scenes
        images, labels = render_scenes(world, n, split="train", seed=start)
        order = torch.randperm(n, generator=generator)
        for i in range(0, n - batch_size + 1, batch_size):
            index = order[i : i + batch_size]
            batch = images[index].float() / 255  # (B, 3, H, W)
            if augment:
                batch = dihedral(batch, generator)
            yield batch, labels[index]
        if n_scenes is None:
            start += chunk  # the next chunk: scenes never seen before


def _check_render_args(world, n, split, seed) -> None:
    check = Checker("render_scenes")
    check.that(
        isinstance(world, ShapeWorld), f"world must be a ShapeWorld, got {world!r}"
    )
    check.int("n", n, min_value=1)
    check.choice("split", split, tuple(SPLITS))
    check.int("seed", seed, min_value=0)


def _check_dihedral_args(images, generator) -> None:
    check = Checker("dihedral")
    check.tensor("images", images, ndim=4, dims="(B, C, S, S)")
    check.that(
        images.shape[-1] == images.shape[-2],
        f"images must be square, got shape {tuple(images.shape)}",
    )
    check.that(
        isinstance(generator, torch.Generator),
        f"generator must be a torch.Generator, got {type(generator).__name__}",
    )


def _check_stream_args(world, batch_size, n_scenes, augment, chunk, seed) -> None:
    check = Checker("classification_stream")
    check.that(
        isinstance(world, ShapeWorld), f"world must be a ShapeWorld, got {world!r}"
    )
    check.int("batch_size", batch_size, min_value=1)
    if n_scenes is not None:
        check.int("n_scenes", n_scenes, min_value=batch_size)
    check.bool("augment", augment)
    check.int("chunk", chunk, min_value=batch_size)
    check.int("seed", seed, min_value=0)

"""Zoo recipes for chapter 1: train and evaluate classifiers on ShapeWorld.

``python -m scratchvision.zoo train NAME`` calls :func:`train_shapeworld` with the
card's ``recipe_kwargs`` and scores the result with :func:`eval_shapeworld` on a
held-out test split (ShapeWorld's test seeds, never seen in training). Notebooks load
the checkpoints and plot the curves the recipe logged instead of training for minutes.
"""

from __future__ import annotations

import functools
import math
from functools import lru_cache

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from scratchvision.data import ShapeClassification, shapeworld_classify
from scratchvision.data.stream import classification_stream, render_scenes
from scratchvision.train import evaluate, fit, seed_everything, warmup_cosine


def shapeworld_tensors(
    n: int, *, split: str, image_size: int = 64, seed: int = 0
) -> TensorDataset:
    """``n`` classification scenes of a split, rendered once into (images, labels)."""
    dataset = ShapeClassification(
        shapeworld_classify(size=image_size), n, seed=seed, split=split
    )
    images, labels = zip(*(dataset[i] for i in range(n)))
    return TensorDataset(
        torch.stack(images), torch.as_tensor(labels)
    )  # (n, 3, S, S), (n,)


def train_shapeworld(
    model: nn.Module,
    *,
    steps: int = 2000,
    batch_size: int = 64,
    lr: float = 2e-3,
    warmup: float = 0.05,
    weight_decay: float = 0.05,
    label_smoothing: float = 0.0,
    image_size: int = 64,
    n_scenes: int | None = None,
    augment: bool = False,
    optimizer: str = "adamw",
    log_every: int | None = None,
    n_val: int = 1000,
    seed: int = 0,
    device: str | torch.device = "cpu",
) -> dict[str, list[float]]:
    """Train a classifier on a stream of ShapeWorld scenes; return the curves.

    AdamW (or SGD with Nesterov momentum 0.9), a linear warm-up over the first
    ``warmup`` fraction of the steps, then a cosine decay to zero. ``n_scenes=None``
    trains on fresh scenes at every step (:func:`classification_stream`); an int
    trains on that many scenes, over and over. The training and validation loss and
    accuracy are logged at ``step``, every ``log_every`` steps (default: at most 20
    records, every ``ceil(steps / 20)`` steps).
    """
    seed_everything(seed)
    opt = _optimizer(optimizer, model, lr, weight_decay)  # refuses a bad name first
    world = shapeworld_classify(size=image_size)
    stream = classification_stream(
        world, batch_size=batch_size, n_scenes=n_scenes, augment=augment, seed=seed
    )
    val = TensorDataset(*_as_float(render_scenes(world, n_val, split="val")))
    history = fit(
        model,
        stream,
        steps=steps,
        log_every=log_every or math.ceil(steps / 20),
        optimizer=opt,
        scheduler=warmup_cosine(opt, steps, warmup),
        loss=functools.partial(F.cross_entropy, label_smoothing=label_smoothing),
        val_loader=DataLoader(val, batch_size=500),
        device=device,
        progress=False,
    )
    log = {
        key: [round(v, 4) for v in history.series(key)]
        for key in ("train_loss", "train_acc", "val_loss", "val_acc", "seconds")
    }
    return {"step": [int(v) for v in history.series("step")], **log}


def _optimizer(name: str, model: nn.Module, lr: float, weight_decay: float):
    """AdamW, or SGD with Nesterov momentum; no decay on biases and norm scales."""
    decay = [p for p in model.parameters() if p.ndim > 1]
    rest = [p for p in model.parameters() if p.ndim <= 1]
    groups = [
        {"params": decay, "weight_decay": weight_decay},
        {"params": rest, "weight_decay": 0.0},
    ]
    if name == "sgd":
        return torch.optim.SGD(groups, lr=lr, momentum=0.9, nesterov=True)
    if name == "adamw":
        return torch.optim.AdamW(groups, lr=lr)
    raise ValueError(
        f"train_shapeworld: optimizer must be 'adamw' or 'sgd', got {name!r}"
    )


def _as_float(pair: tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.Tensor, ...]:
    images, labels = pair
    return images.float() / 255, labels  # uint8 scenes -> [0, 1]


@lru_cache(maxsize=2)
def _test_scenes(n_test: int, image_size: int) -> TensorDataset:
    # Rendering 2000 scenes takes seconds; tests score many checkpoints on the same set.
    world = shapeworld_classify(size=image_size)
    return TensorDataset(*_as_float(render_scenes(world, n_test, split="test")))


def eval_shapeworld(
    model: nn.Module, *, n_test: int = 2000, image_size: int = 64
) -> dict[str, float]:
    """Held-out accuracy on the first ``n_test`` scenes of ShapeWorld's test split."""
    test = _test_scenes(n_test, image_size)
    return {"accuracy": evaluate(model, DataLoader(test, batch_size=256))["acc"]}

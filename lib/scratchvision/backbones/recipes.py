"""Zoo recipes for chapter 1: train and evaluate classifiers on ShapeWorld.

``python -m scratchvision.zoo train NAME`` calls :func:`train_shapeworld` with the
card's ``recipe_kwargs`` and scores the result with :func:`eval_shapeworld` on a
held-out test split (ShapeWorld's test seeds, never seen in training). Notebooks load
the checkpoints and plot the curves the recipe logged instead of training for minutes.
"""

from __future__ import annotations

import math
from functools import lru_cache

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from scratchvision.data import ShapeClassification, shapeworld_classify
from scratchvision.train import evaluate, fit, seed_everything


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
    n_train: int = 8000,
    n_val: int = 1000,
    epochs: int = 10,
    lr: float = 2e-3,
    weight_decay: float = 0.05,
    batch_size: int = 64,
    image_size: int = 64,
    seed: int = 0,
) -> dict[str, list[float]]:
    """AdamW, cosine schedule, ``n_train`` ShapeWorld scenes; returns the curves."""
    seed_everything(seed)
    train = shapeworld_tensors(n_train, split="train", image_size=image_size)
    val = shapeworld_tensors(n_val, split="val", image_size=image_size)
    loader = DataLoader(
        train,
        batch_size=batch_size,
        shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    steps = epochs * math.ceil(n_train / batch_size)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=lr, total_steps=steps, pct_start=0.15
    )
    history = fit(
        model,
        loader,
        epochs=epochs,
        optimizer=optimizer,
        scheduler=scheduler,
        val_loader=DataLoader(val, batch_size=256),
        progress=False,
    )
    return {
        key: [round(v, 4) for v in history.series(key)]
        for key in ("train_loss", "train_acc", "val_loss", "val_acc", "seconds")
    }


@lru_cache(maxsize=2)
def _test_scenes(n_test: int, image_size: int) -> TensorDataset:
    # Rendering 2000 scenes takes seconds; tests score many checkpoints on the same set.
    return shapeworld_tensors(n_test, split="test", image_size=image_size)


def eval_shapeworld(
    model: nn.Module, *, n_test: int = 2000, image_size: int = 64
) -> dict[str, float]:
    """Held-out accuracy on the first ``n_test`` scenes of ShapeWorld's test split."""
    test = _test_scenes(n_test, image_size)
    return {"accuracy": evaluate(model, DataLoader(test, batch_size=256))["acc"]}

"""Training a restorer on simulated pairs: an endless stream of them, and the recipe.

Every batch is drawn afresh (new crops of the training photos, new noise, new camera
shake), so training never sees a pair twice and there is no data set to pass over:
``PairStream`` never ends, and ``train_restorer`` trains on it with ``train.fit`` for a
budget of steps, logging every ``steps // epochs`` of them.

Notebooks: ``notebooks/05_imaging/01_denoising.ipynb``, ``03_deblurring.ipynb``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import torch
from torch import nn

from scratchvision.data.natural import natural_images, natural_split, sample_patches
from scratchvision.imaging.heldout import final
from scratchvision.imaging.losses import l1_loss, l2_loss, multiscale_loss
from scratchvision.imaging.pairs import Pair, resolve_pair
from scratchvision.metrics import psnr
from scratchvision.train import fit, seed_everything
from scratchvision.validate import check_choice, check_int

PIXEL_LOSSES = {"l1": l1_loss, "l2": l2_loss}


class PairStream:
    """Fresh training pairs, batch after batch, without end: a stream for ``fit``.

    Items: ``(inputs, targets)`` from
    ``pair(sample_patches(images, batch_size, patch_size))``; every batch draws new
    crops and new degradations from ``generator``.
    """

    def __init__(
        self,
        images: Mapping[str, torch.Tensor],
        pair: Pair,
        *,
        batch_size: int,
        patch_size: int,
        generator: torch.Generator,
        **pair_kwargs,
    ) -> None:
        self.images, self.pair, self.pair_kwargs = images, pair, pair_kwargs
        self.batch_size = check_int(
            "batch_size", batch_size, min_value=1, fn="PairStream"
        )
        self.patch_size = check_int(
            "patch_size", patch_size, min_value=1, fn="PairStream"
        )
        self.generator = generator

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        while True:
            clean = sample_patches(
                self.images, self.batch_size, self.patch_size, generator=self.generator
            )
            yield self.pair(clean, generator=self.generator, **self.pair_kwargs)


def restoration_loss(
    outputs, targets: torch.Tensor, *, loss: str = "l1"
) -> torch.Tensor:
    """``l1`` or ``l2`` between output and target.

    Averaged over the scales of a multi-scale net.
    """
    pixel = PIXEL_LOSSES[
        check_choice("loss", loss, tuple(PIXEL_LOSSES), fn="restoration_loss")
    ]
    if isinstance(outputs, (list, tuple)):
        return multiscale_loss(outputs, targets, loss=pixel)
    return pixel(outputs, targets)


def train_psnr(outputs, targets: torch.Tensor) -> float:
    """PSNR of the final, clamped output on a training batch: the logged metric."""
    return psnr(final(outputs).clamp(0, 1), targets).item()


def train_restorer(
    model: nn.Module,
    *,
    degrade: str | Pair,
    degrade_kwargs: Mapping | None = None,
    loss: str = "l1",
    steps: int = 1000,
    epochs: int = 10,
    batch_size: int = 16,
    patch_size: int = 48,
    lr: float = 2e-3,
    gray: bool = False,
    names: Sequence[str] | None = None,
    seed: int = 0,
) -> dict[str, list[float]]:
    """Train ``model`` to undo ``degrade`` on fresh training patches; return the curves.

    AdamW with a one-cycle schedule for ``steps`` steps of ``batch_size`` patches,
    logged in ``epochs`` chunks (there is no fixed data set to pass over).

    Args:
        model: maps inputs to a restored image (or a coarse-to-fine list of them).
        degrade: a pair function, or its import path.
        degrade_kwargs: its keyword arguments, e.g. ``{"sigma": [5, 55]}``.
        loss: ``"l1"`` or ``"l2"``.
        patch_size: side S of the clean patches handed to ``degrade``.
        gray: train on luminance (1 channel) instead of RGB.
        names: training photos (default: the train half of ``natural_split``); never
            held-out ones.

    Returns:
        ``{"train_loss": [...], "train_psnr": [...], "seconds": [...]}``, one value per
        epoch.
    """
    run = fit_arguments(
        model,
        degrade=degrade,
        degrade_kwargs=degrade_kwargs,
        steps=steps,
        epochs=epochs,
        batch_size=batch_size,
        patch_size=patch_size,
        lr=lr,
        gray=gray,
        names=names,
        seed=seed,
    )
    loss_fn = functools.partial(restoration_loss, loss=loss)
    history = fit(model, **run, loss=loss_fn, metrics={"psnr": train_psnr})
    return curves(history, ("train_loss", "train_psnr", "seconds"))


def fit_arguments(
    model: nn.Module,
    *,
    degrade: str | Pair,
    degrade_kwargs: Mapping | None,
    steps: int,
    epochs: int,
    batch_size: int,
    patch_size: int,
    lr: float,
    gray: bool = False,
    names: Sequence[str] | None = None,
    seed: int = 0,
    fn: str = "train_restorer",
) -> dict[str, Any]:
    """What every chapter-5 recipe hands ``train.fit``: the stream, AdamW, one-cycle.

    Sharing them is what makes two recipes comparable: the same ``seed`` gives the
    same patches in the same order, and the same learning rate at every step.
    """
    names = _check_recipe(fn, names, steps, epochs)
    stream = PairStream(
        natural_images(gray=gray, names=names),
        resolve_pair(degrade),
        batch_size=batch_size,
        patch_size=patch_size,
        generator=seed_everything(seed),
        **(degrade_kwargs or {}),
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=lr, total_steps=steps, pct_start=0.1
    )
    return dict(
        loader=stream,
        steps=steps,
        log_every=steps // epochs,
        optimizer=optimizer,
        scheduler=scheduler,
        progress=False,
        verbose=False,
    )


def curves(history, keys: Sequence[str]) -> dict[str, list[float]]:
    """The History's per-record values of ``keys``, rounded for a zoo card's log."""
    return {key: [round(v, 4) for v in history.series(key)] for key in keys}


def _check_recipe(fn, names, steps, epochs) -> list[str]:
    train_names, held_out = natural_split()
    names = train_names if names is None else list(names)
    if set(names) & set(held_out):
        raise ValueError(
            f"{fn}: names must not include the held-out photos {held_out}, got {names}"
        )
    check_int("steps", steps, min_value=1, fn=fn)
    check_int("epochs", epochs, min_value=1, fn=fn)
    if steps % epochs:
        raise ValueError(
            f"{fn}: steps must be a multiple of epochs={epochs}, got {steps}"
        )
    return names

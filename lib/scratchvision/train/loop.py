"""A training loop that knows nothing of the model: ``fit`` and ``evaluate``.

The loop iterates over batches, steps one optimiser, logs and times. Everything that
depends on the model and the data is in the *step function* (the design of minGPT's
``trainer.py``)::

    step(model, batch) -> loss   or   {"loss": loss, "acc": 0.9, ...}

``fit`` calls ``loss.backward()`` and ``optimizer.step()`` and averages every value the
step returns into a :class:`History` (see ``train.steps`` for supervised pairs,
unlabelled images, detection targets and a GAN). After every optimiser step it calls
``after_step(i)``, with ``i`` the number of steps so far: an EMA teacher follows its
student there (``train.ema``).

Data comes two ways. A *data set* is passed over ``epochs`` times, one record per pass.
A *stream*, an iterable with no epoch boundary (fresh ShapeWorld scenes, newly degraded
photo crops), is trained for a budget of ``steps``, one record every ``log_every``
steps. Plain PyTorch, no framework: a reader sees every step.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import torch
from torch import nn

from scratchvision.measure import timed
from scratchvision.train._checks import check_fit, check_run
from scratchvision.train.batches import (
    accumulate,
    as_losses,
    progress_bar,
    rounds,
    to_device,
)
from scratchvision.train.history import History
from scratchvision.train.steps import supervised_step

Step = Callable[[nn.Module, Any], Any]


def fit(
    model: nn.Module,
    loader: Iterable,
    *,
    step: Step | None = None,
    loss: Callable | None = None,
    metrics: Mapping[str, Callable] | None = None,
    epochs: int | None = None,
    steps: int | None = None,
    log_every: int | None = None,
    optimizer: torch.optim.Optimizer | None = None,
    lr: float = 1e-3,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    after_step: Callable[[int], Any] | None = None,
    val_loader: Iterable | None = None,
    device: torch.device | str = "cpu",
    progress: bool = True,
    verbose: bool = True,
) -> History:
    """Train ``model`` on the batches of ``loader``; return what was measured.

    Args:
        model: the network the optimiser trains.
        loader: an iterable of batches: a DataLoader, a list, or an endless stream.
        step: ``step(model, batch)`` -> loss or ``{"loss": loss, ...}``; default
            :func:`supervised_step` with ``loss`` and ``metrics``.
        loss, metrics: for the default step: ``loss(outputs, targets)`` (default
            cross-entropy) and ``{name: metric(outputs, targets)}`` (default accuracy).
        epochs: passes over ``loader``, one record each; or
        steps: a budget of optimiser steps, re-reading ``loader`` when it ends, one
            record every ``log_every`` steps (default: one at the end).
        optimizer: default AdamW at ``lr`` over ``model.parameters()``.
        scheduler: stepped after every optimiser step.
        after_step: called as ``after_step(i)`` after the ``i``-th step (from 1).
        val_loader: scored by :func:`evaluate` with the same step after every record.

    Returns:
        a :class:`History`: per record ``train_<name>`` (batch-size weighted means of
        what the step returned), ``val_<name>``, ``seconds``; per step the loss.
    """
    check_fit(model, loader, step, loss, metrics, epochs, steps, log_every, lr,
              optimizer, after_step, val_loader)  # fmt: skip
    step = step or _default_step(loss, metrics)
    model.to(device)
    optimizer = optimizer or torch.optim.AdamW(model.parameters(), lr=lr)
    history = History()
    update = functools.partial(_update, optimizer, scheduler, after_step, history)
    for start, batches, total, label in rounds(loader, epochs, steps, log_every):
        batches = progress_bar(batches, total, label, progress)
        timing = timed(
            functools.partial(_round, model, batches, step, update, val_loader, device)
        )
        history.epochs.append({**start, **timing.result, "seconds": timing.seconds[0]})
        if verbose:
            print(_format(history.epochs[-1]))
    return history


def _round(model, batches, step, update, val_loader, device) -> dict[str, float]:
    """One record: training steps, then the validation scores."""
    record = _train(model, batches, step, update, device)
    if val_loader is not None:
        scores = evaluate(model, val_loader, step=step, device=device)
        record.update({f"val_{k}": v for k, v in scores.items()})
    return record


def _train(model, batches, step, update, device) -> dict[str, float]:
    """One record's worth of training steps: the mean of what the step returned."""
    model.train()
    sums, count = {}, 0
    for batch in batches:
        batch = to_device(batch, device)
        out = as_losses(step(model, batch), "fit")
        update(out["loss"])
        count += accumulate(sums, out, batch)
    if count == 0:
        raise ValueError("fit: loader must yield at least one batch, got none")
    return {f"train_{k}": v / count for k, v in sums.items()}


def _update(optimizer, scheduler, after_step, history, loss: torch.Tensor) -> None:
    """Gradient descent on ``loss``, then the hooks: what happens after every step."""
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    if scheduler is not None:
        scheduler.step()
    history.steps.append(loss.item())
    if after_step is not None:
        after_step(len(history.steps))


@torch.no_grad()
def evaluate(
    model: nn.Module,
    loader: Iterable,
    *,
    step: Step | None = None,
    loss: Callable | None = None,
    metrics: Mapping[str, Callable] | None = None,
    device: torch.device | str = "cpu",
) -> dict[str, float]:
    """Average what ``step`` returns over ``loader``, in eval mode, without gradients.

    ``step``, ``loss`` and ``metrics`` are those of :func:`fit` (default: the
    supervised step, ``{"loss", "acc"}``). Averages are weighted by batch size, so a
    short last batch counts for what it holds.
    """
    check_run("evaluate", model, loader, step, loss, metrics)
    step = step or _default_step(loss, metrics)
    was_training = model.training
    model.eval()
    sums, count = {}, 0
    for batch in loader:
        batch = to_device(batch, device)
        count += accumulate(sums, as_losses(step(model, batch), "evaluate"), batch)
    model.train(was_training)
    if count == 0:
        raise ValueError("evaluate: loader must yield at least one batch, got none")
    return {name: total / count for name, total in sums.items()}


def _default_step(loss, metrics) -> Step:
    """:func:`supervised_step` with this loss (default cross-entropy) and metrics."""
    return functools.partial(
        supervised_step, loss=loss or torch.nn.functional.cross_entropy, metrics=metrics
    )


def _format(record: Mapping[str, float]) -> str:
    (key, value), *rest = record.items()
    parts = [f"{key} {value:>3}"]
    parts += [f"{k} {v:.4f}" for k, v in rest if k != "seconds"]
    parts.append(f"{record['seconds']:.1f}s")
    return "  ".join(parts)

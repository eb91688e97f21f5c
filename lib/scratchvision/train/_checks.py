"""The guards of ``fit`` and ``evaluate``: what a training run must be given.

A mistake here would otherwise surface minutes later, deep inside a training round
(a missing ``steps`` budget, a hook that is not a function), so it is refused first.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn

from scratchvision.validate import check_int, check_range


def check_run(fn, model, loader, step, loss, metrics) -> None:
    if not isinstance(model, nn.Module):
        raise ValueError(
            f"{fn}: model must be an nn.Module, got {type(model).__name__}"
        )
    if not isinstance(loader, Iterable):
        raise ValueError(
            f"{fn}: loader must be an iterable of batches, got {type(loader).__name__}"
        )
    if step is not None and not callable(step):
        raise ValueError(f"{fn}: step must be callable, got {type(step).__name__}")
    if step is not None and (loss is not None or metrics is not None):
        raise ValueError(f"{fn}: step owns the loss: pass step, or loss and metrics")


def check_fit(
    model,
    loader,
    step,
    loss,
    metrics,
    epochs,
    steps,
    log_every,
    lr,
    optimizer,
    after_step,
    val_loader,
) -> None:
    check_run("fit", model, loader, step, loss, metrics)
    _check_hooks(after_step, val_loader)
    if optimizer is not None and not isinstance(optimizer, torch.optim.Optimizer):
        raise ValueError(
            "fit: optimizer must be a torch.optim.Optimizer or None, got "
            f"{type(optimizer).__name__}"
        )
    for name, value in (("epochs", epochs), ("steps", steps), ("log_every", log_every)):
        if value is not None:
            check_int(name, value, min_value=1, fn="fit")
    if (epochs is None) == (steps is None):
        raise ValueError(
            "fit: give epochs (passes over loader) or steps (a budget), exactly one; "
            f"got epochs={epochs}, steps={steps}"
        )
    if log_every is not None and steps is None:
        raise ValueError("fit: log_every counts steps, so it needs steps, not epochs")
    check_range("lr", lr, low=0.0, fn="fit")


def _check_hooks(after_step, val_loader) -> None:
    if after_step is not None and not callable(after_step):
        raise ValueError(
            f"fit: after_step must be callable, got {type(after_step).__name__}"
        )
    if val_loader is not None and not (
        isinstance(val_loader, Iterable) and getattr(val_loader, "__len__", lambda: 1)()
    ):
        raise ValueError(
            "fit: val_loader must be a finite, non-empty iterable of batches, got "
            f"{type(val_loader).__name__}"
        )

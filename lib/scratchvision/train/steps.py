"""Step functions: what one training step computes, for :func:`train.fit`.

A step function owns the loss: ``step(model, batch)`` returns the loss to minimise,
or a dict with the loss under ``"loss"`` and anything else to log (``{"loss": ...,
"acc": 0.9}``). ``fit`` does the rest: ``backward``, the optimiser step, the averages.
Every kind of batch fits this shape; only the step differs:

* supervised pairs: :func:`supervised_step` (the default), ``loss(model(x), y)``;
* unlabelled images (an autoencoder, MAE): ``lambda model, x: mse(model(x), x)``;
* detection targets, lists of dicts: the step unpacks them (``fit`` only moves them);
* a GAN: the step updates the critic with its own optimiser and returns the
  generator's loss (``imaging.srgan.srgan_step``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from scratchvision.metrics import accuracy

Metric = Callable[[torch.Tensor, torch.Tensor], float]


def supervised_step(
    model: nn.Module,
    batch: tuple[Any, torch.Tensor],
    *,
    loss: Callable[[Any, torch.Tensor], torch.Tensor] = F.cross_entropy,
    metrics: Mapping[str, Metric] | None = None,
) -> dict[str, Any]:
    """One supervised step: ``loss(model(inputs), targets)``, and metrics on the side.

    Args:
        model: maps ``inputs`` to outputs.
        batch: ``(inputs, targets)``, e.g. a DataLoader batch of (images, labels).
        loss: ``loss(outputs, targets) -> Tensor[]``; default cross-entropy.
        metrics: ``{name: metric(outputs, targets) -> float}``, computed without
            gradients; default ``{"acc": metrics.accuracy}``.

    Returns:
        ``{"loss": Tensor[] (with its graph), name: value, ...}``.
    """
    inputs, targets = _check_supervised(model, batch, loss, metrics)
    metrics = {"acc": accuracy} if metrics is None else metrics
    outputs = model(inputs)
    record = {"loss": loss(outputs, targets)}
    with torch.no_grad():
        record.update({name: m(outputs, targets) for name, m in metrics.items()})
    return record


def _check_supervised(model, batch, loss, metrics):
    fn = "supervised_step"
    if not isinstance(model, nn.Module):
        raise ValueError(
            f"{fn}: model must be an nn.Module, got {type(model).__name__}"
        )
    if not (isinstance(batch, (tuple, list)) and len(batch) == 2):
        raise ValueError(
            f"{fn}: batch must be a pair (inputs, targets), got {type(batch).__name__}"
            + (f" of length {len(batch)}" if isinstance(batch, (tuple, list)) else "")
        )
    if not callable(loss):
        raise ValueError(f"{fn}: loss must be callable, got {type(loss).__name__}")
    if metrics is not None and not (
        isinstance(metrics, Mapping) and all(callable(m) for m in metrics.values())
    ):
        raise ValueError(
            f"{fn}: metrics must be a dict of name -> metric function, got {metrics!r}"
        )
    return batch

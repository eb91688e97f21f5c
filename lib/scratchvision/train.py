"""A small, model-agnostic training loop: ``fit``, ``evaluate`` and ``seed_everything``.

Plain PyTorch, no trainer framework: a reader should see every step of a training epoch.
The loop returns a :class:`History` that :func:`scratchvision.plot.plot_history` draws.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .validate import check_int, check_range

Metric = Callable[[torch.Tensor, torch.Tensor], float]


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and PyTorch; return a ``torch.Generator`` seeded the same way.

    Library functions take an explicit ``generator=``; this only makes notebooks
    repeatable.
    """
    check_int("seed", seed, min_value=0, fn="seed_everything")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def accuracy(logits: torch.Tensor, targets: torch.Tensor) -> float:
    """Fraction of rows of ``logits`` whose arg-max equals ``targets``.

    ``logits`` is Tensor[B, K], ``targets`` Tensor[B].
    """
    return (logits.argmax(dim=-1) == targets).float().mean().item()


@dataclass
class History:
    """What :func:`fit` measured: one record per epoch and the loss of every step."""

    epochs: list[dict[str, float]] = field(default_factory=list)
    steps: list[float] = field(default_factory=list)

    def series(self, key: str) -> list[float]:
        """All epochs' values of one key, e.g. ``history.series("val_acc")``."""
        return [record[key] for record in self.epochs if key in record]

    @property
    def seconds(self) -> float:
        """Total training time."""
        return sum(record["seconds"] for record in self.epochs)

    def last(self, key: str) -> float:
        """The final epoch's value of ``key``."""
        values = self.series(key)
        if not values:
            raise ValueError(
                "History.last: key must be one of "
                f"{sorted(self.epochs[-1]) if self.epochs else []}, got {key!r}"
            )
        return values[-1]


def _progress(iterable: Iterable, total: int, description: str, enabled: bool):
    """A progress bar: a widget in Jupyter, plain text elsewhere (as on the website)."""
    if not enabled:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=description, leave=False, mininterval=0.5)


def _to(batch, device: torch.device):
    if isinstance(batch, torch.Tensor):
        return batch.to(device)
    if isinstance(batch, Mapping):
        return {k: _to(v, device) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return type(batch)(_to(b, device) for b in batch)
    return batch


@torch.no_grad()
def evaluate(
    model: nn.Module,
    loader: Iterable,
    *,
    loss_fn: Callable = F.cross_entropy,
    metrics: Mapping[str, Metric] | None = None,
    device: torch.device | str = "cpu",
) -> dict[str, float]:
    """Average ``loss`` and each metric over a loader of ``(inputs, targets)`` batches.

    Averages are weighted by batch size, so a short last batch counts for what it holds.
    """
    metrics = {"acc": accuracy} if metrics is None else metrics
    was_training = model.training
    model.eval()
    totals = {"loss": 0.0, **{name: 0.0 for name in metrics}}
    count = 0
    for inputs, targets in loader:
        inputs, targets = _to(inputs, device), _to(targets, device)
        outputs = model(inputs)
        n = len(inputs)
        totals["loss"] += loss_fn(outputs, targets).item() * n
        for name, metric in metrics.items():
            totals[name] += metric(outputs, targets) * n
        count += n
    model.train(was_training)
    if count == 0:
        raise ValueError("evaluate: loader must yield at least one batch, got none")
    return {name: total / count for name, total in totals.items()}


def fit(
    model: nn.Module,
    train_loader: Iterable,
    *,
    epochs: int,
    lr: float = 1e-3,
    optimizer: torch.optim.Optimizer | None = None,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    loss_fn: Callable = F.cross_entropy,
    val_loader: Iterable | None = None,
    metrics: Mapping[str, Metric] | None = None,
    device: torch.device | str = "cpu",
    progress: bool = True,
    verbose: bool = True,
) -> History:
    """Train ``model`` for ``epochs`` passes over ``train_loader``.

    Returns a :class:`History` in which each epoch records ``train_loss`` (mean over
    steps), the ``train_<metric>`` on the fly, ``val_loss`` and ``val_<metric>`` when a
    ``val_loader`` is given, and ``seconds``. The default optimizer is AdamW at ``lr``;
    a ``scheduler`` is stepped once per step.
    """
    check_int("epochs", epochs, min_value=1, fn="fit")
    check_range("lr", lr, low=0.0, fn="fit")
    metrics = {"acc": accuracy} if metrics is None else metrics
    model.to(device)
    optimizer = optimizer or torch.optim.AdamW(model.parameters(), lr=lr)
    history = History()
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        model.train()
        sums = {"loss": 0.0, **{name: 0.0 for name in metrics}}
        count = 0
        total = len(train_loader) if hasattr(train_loader, "__len__") else None
        for inputs, targets in _progress(
            train_loader, total, f"epoch {epoch}/{epochs}", progress
        ):
            inputs, targets = _to(inputs, device), _to(targets, device)
            outputs = model(inputs)
            loss = loss_fn(outputs, targets)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            n = len(inputs)
            history.steps.append(loss.item())
            sums["loss"] += loss.item() * n
            with torch.no_grad():
                for name, metric in metrics.items():
                    sums[name] += metric(outputs, targets) * n
            count += n
        if count == 0:
            raise ValueError(
                "fit: train_loader must yield at least one batch, got none"
            )
        record = {"epoch": epoch, **{f"train_{k}": v / count for k, v in sums.items()}}
        if val_loader is not None:
            scores = evaluate(
                model, val_loader, loss_fn=loss_fn, metrics=metrics, device=device
            )
            record.update({f"val_{k}": v for k, v in scores.items()})
        record["seconds"] = time.perf_counter() - start
        history.epochs.append(record)
        if verbose:
            print(_format(record))
    return history


def _format(record: Mapping[str, float]) -> str:
    parts = [f"epoch {record['epoch']:>3}"]
    parts += [
        f"{k} {v:.4f}" for k, v in record.items() if k not in ("epoch", "seconds")
    ]
    parts.append(f"{record['seconds']:.1f}s")
    return "  ".join(parts)

"""Batches for the training loop: where they come from, and what one holds.

``fit`` trains in *rounds*, one record of its History each: a pass over a data set per
epoch, or ``log_every`` steps of a stream that has no epochs. Within a round, every
batch is moved to the device, handed to the step function, and weighed by its size
when the step's values are averaged.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import torch


def rounds(loader, epochs, steps, log_every) -> Iterator[tuple]:
    """What each record trains on: ``(first entries, batches, total, label)``."""
    if steps is None:
        for epoch in range(1, epochs + 1):
            total = len(loader) if hasattr(loader, "__len__") else None
            yield {"epoch": epoch}, loader, total, f"epoch {epoch}/{epochs}"
        return
    stream, every = forever(loader), log_every or steps
    for done in range(0, steps, every):
        n = min(every, steps - done)
        label = f"steps {done + 1}-{done + n}/{steps}"
        yield {"step": done + n}, itertools.islice(stream, n), n, label


def forever(loader: Iterable) -> Iterator:
    """The batches of ``loader``, pass after pass (a stream has only one pass)."""
    while True:
        empty = True
        for batch in loader:
            empty = False
            yield batch
        if empty:
            raise ValueError("fit: loader must yield at least one batch, got none")


def as_losses(out, fn: str) -> dict[str, Any]:
    """A step's result as a dict with a ``"loss"`` entry."""
    out = out if isinstance(out, Mapping) else {"loss": out}
    if not isinstance(out.get("loss"), torch.Tensor):
        raise ValueError(
            f"{fn}: step must return a loss tensor or a dict with a 'loss' tensor, "
            f"got {type(out.get('loss')).__name__} under 'loss'"
        )
    return dict(out)


def accumulate(sums: dict[str, float], out: Mapping[str, Any], batch) -> int:
    """Add a step's values, weighted by the batch's size, to ``sums``; return it."""
    n = batch_size(batch)
    for name, value in out.items():
        value = value.detach().item() if isinstance(value, torch.Tensor) else value
        sums[name] = sums.get(name, 0.0) + float(value) * n
    return n


def batch_size(batch) -> int:
    """Samples in a batch: the length of its first field (a tuple/list is fields)."""
    first = batch[0] if isinstance(batch, (tuple, list)) else batch
    if isinstance(first, Mapping):
        first = next(iter(first.values()))
    return len(first)


def to_device(batch, device: torch.device | str):
    """``batch`` on ``device``: tensors inside tuples, lists and dicts are moved."""
    if isinstance(batch, torch.Tensor):
        return batch.to(device)
    if isinstance(batch, Mapping):
        return {k: to_device(v, device) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return type(batch)(to_device(b, device) for b in batch)
    return batch


def progress_bar(batches: Iterable, total: int | None, label: str, enabled: bool):
    """A progress bar: a widget in Jupyter, plain text elsewhere (as on the website)."""
    if not enabled:
        return batches
    from tqdm.auto import tqdm

    return tqdm(batches, total=total, desc=label, leave=False, mininterval=0.5)

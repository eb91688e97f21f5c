"""Classification metrics: how often the arg-max of the logits is the label.

Chapter 1 scores every backbone with ``accuracy``; ``train.fit`` logs it on every
training batch by default. Later chapters add top-k and k-nearest-neighbour accuracy
(self-supervised probes) here.
"""

from __future__ import annotations

import torch

from scratchvision.validate import check_tensor


def accuracy(logits: torch.Tensor, targets: torch.Tensor) -> float:
    """Fraction of rows of ``logits`` whose arg-max equals ``targets``.

    Args:
        logits (Tensor[B, K]): class scores (any monotone transform, e.g. softmax,
            gives the same arg-max).
        targets (Tensor[B]): integer class labels in ``[0, K)``.

    Returns:
        a float in [0, 1].
    """
    _check_accuracy(logits, targets)
    return (logits.argmax(dim=-1) == targets).float().mean().item()


def _check_accuracy(logits, targets) -> None:
    fn = "accuracy"
    check_tensor(
        "logits", logits, ndim=2, dims="(B, K)", finite=True, nonempty=True, fn=fn
    )
    check_tensor("targets", targets, ndim=1, dims="(B,)", fn=fn)
    if targets.is_floating_point() or targets.dtype == torch.bool:
        raise ValueError(
            f"{fn}: targets must hold integer class labels, got dtype {targets.dtype}"
        )
    if len(targets) != len(logits):
        raise ValueError(
            f"{fn}: targets must have one label per row of logits ({len(logits)}), "
            f"got {len(targets)}"
        )

"""An exponential moving average of weights: the teacher that follows its student.

Mean Teacher (Tarvainen & Valpola 2017), BYOL and DINO (Caron et al. 2021) train a
*student* by gradient descent and let a *teacher* with the same architecture trail it,
each weight an average of the student's recent values. The teacher gets no gradients;
averaged weights make its outputs smoother targets than the student's own.

State is explicit: the teacher is an argument, updated in place and returned. In a
training run the update is ``train.fit``'s ``after_step`` hook::

    fit(student, loader, step=..., steps=1000,
        after_step=lambda i: ema_update(teacher, student, momentum=0.996))
"""

from __future__ import annotations

import torch
from torch import nn

from scratchvision.validate import check_range


@torch.no_grad()
def ema_update(teacher: nn.Module, student: nn.Module, momentum: float) -> nn.Module:
    """One EMA step, parameter by parameter: ``θ_t ← m θ_t + (1 - m) θ_s``.

    DINO, Sec. 3.1 (``λ`` = 0.996 rising to 1 on a cosine schedule); Mean Teacher,
    Sec. 2 (``α`` = 0.99 to 0.999). The teacher averages the student over roughly the
    last ``1 / (1 - m)`` steps. Only parameters are averaged: buffers such as
    BatchNorm statistics stay the teacher's own, as in DINO.

    Args:
        teacher: updated in place; same architecture as ``student``.
        student: the network trained by gradient descent.
        momentum: ``m`` in [0, 1]; 1 freezes the teacher, 0 copies the student.

    Returns:
        ``teacher``.
    """
    pairs = _check_ema(teacher, student, momentum)
    for t, s in pairs:
        t.mul_(momentum).add_(s, alpha=1 - momentum)
    return teacher


def _check_ema(teacher, student, momentum) -> list[tuple[torch.Tensor, torch.Tensor]]:
    fn = "ema_update"
    for name, value in (("teacher", teacher), ("student", student)):
        if not isinstance(value, nn.Module):
            raise ValueError(
                f"{fn}: {name} must be an nn.Module, got {type(value).__name__}"
            )
    check_range("momentum", momentum, low=0.0, high=1.0, fn=fn)
    pairs = list(zip(teacher.parameters(), student.parameters()))
    shapes = [t.shape for t in teacher.parameters()]
    if len(shapes) != len(list(student.parameters())) or any(
        t.shape != s.shape for t, s in pairs
    ):
        raise ValueError(
            f"{fn}: teacher must have the student's architecture (parameter shapes), "
            f"got {len(shapes)} teacher and {len(list(student.parameters()))} student "
            "parameters that differ"
        )
    return pairs

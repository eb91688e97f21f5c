"""DINO: self-distillation with no labels (Caron et al. 2021, Algorithm 1, Eq. 1-4).

A student network is trained to predict, from every view of an image, the output of a
teacher on the *other* global views; the teacher is an exponential moving average of
the student (``scratchvision.train.ema_update``) and gets no gradients. Nothing in the
loss tells the two networks apart from a constant output, so two opposite tricks keep
them from collapsing (Sec. 3.1, Fig. 7): *centering* subtracts a running mean ``c`` of
the teacher's outputs (no dimension may dominate) and *sharpening* divides them by a
low temperature (no output may stay uniform).

Pure functions, explicit state: :func:`dino_loss` takes the center as an argument and
:func:`update_center` returns a new one (DINO's official loss updates a buffer inside
``forward`` and calls ``dist.all_reduce``). :func:`collapse_diagnostics` measures the
two failure modes. The networks are in ``selfsup.dino_net``.

Taught in ``notebooks/02_self_supervised/`` (DINO lesson).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from einops import rearrange

from scratchvision.validate import Checker


def dino_loss(
    student_logits: torch.Tensor,
    teacher_logits: torch.Tensor,
    center: torch.Tensor,
    *,
    student_temp: float = 0.1,
    teacher_temp: float = 0.04,
) -> torch.Tensor:
    """Cross-entropy from each teacher view to every *other* student view (Eq. 1-3).

    ``P_t = softmax((g_t - c) / τ_t)`` (centred, sharpened, no gradient) and
    ``P_s = softmax(g_s / τ_s)``; the loss is the mean over the pairs ``i != j`` of
    teacher view ``i`` and student view ``j`` of ``- Σ_K P_t log P_s``, averaged over
    the batch (Eq. 3; view ``i`` of both is the same crop, so ``i = j`` is skipped).

    Args:
        student_logits (Tensor[V_s, B, K]): the student on all views, global first.
        teacher_logits (Tensor[V_t, B, K]): the teacher on the V_t <= V_s global views.
        center (Tensor[K]): the running mean ``c`` of the teacher's outputs.
        student_temp, teacher_temp: ``τ_s`` and ``τ_t`` (> 0; τ_t < τ_s sharpens).

    Returns:
        Tensor[]: the loss; its gradient reaches the student only.
    """
    _check_dino_args(
        "dino_loss", student_logits, teacher_logits, center, student_temp, teacher_temp
    )
    log_p_t = _teacher_log_probs(teacher_logits, center, teacher_temp)  # (V_t, B, K)
    log_p_s = F.log_softmax(student_logits / student_temp, dim=-1)  # (V_s, B, K)
    cross = _cross_entropies(log_p_t.exp(), log_p_s)  # (V_t, V_s)
    return cross[_other_views(*cross.shape, cross.device)].mean()


@torch.no_grad()
def update_center(
    center: torch.Tensor, teacher_logits: torch.Tensor, *, momentum: float = 0.9
) -> torch.Tensor:
    """``c ← m c + (1 - m) mean(g_t)`` over views and batch (Eq. 4); a new tensor.

    Args:
        center (Tensor[K]): the current center; not modified.
        teacher_logits (Tensor[V_t, B, K]): the teacher's outputs of this step.
        momentum: ``m`` in [0, 1]; the center averages roughly the last 1 / (1 - m)
            batches.

    Returns:
        Tensor[K], without gradient.
    """
    _check_teacher("update_center", teacher_logits, center, momentum)
    batch_mean = teacher_logits.mean(dim=(0, 1))  # (K,)
    return momentum * center + (1 - momentum) * batch_mean


@torch.no_grad()
def collapse_diagnostics(
    student_logits: torch.Tensor,
    teacher_logits: torch.Tensor,
    center: torch.Tensor,
    *,
    student_temp: float = 0.1,
    teacher_temp: float = 0.04,
) -> dict[str, float]:
    """The two ways DINO collapses, as numbers (Caron et al. 2021, Fig. 7).

    ``teacher_entropy``, the mean entropy of one image's ``P_t``: ``log_k`` when
    every output is uniform (sharpening failed), 0 when each is one-hot.
    ``batch_entropy``, the entropy of ``P_t`` averaged over the batch: near 0 when
    every image gets the same one-hot output (centering failed). ``kl``, the mean
    ``KL(P_t || P_s)`` over the loss's pairs: 0 when the student copies the teacher,
    which both collapses achieve. ``log_k = ln K`` for reference.

    Args: as :func:`dino_loss`.

    Returns:
        dict of floats: ``teacher_entropy``, ``batch_entropy``, ``kl``, ``log_k``.
    """
    _check_dino_args(
        "collapse_diagnostics", student_logits, teacher_logits, center, student_temp,
        teacher_temp,
    )  # fmt: skip
    log_p_t = _teacher_log_probs(teacher_logits, center, teacher_temp)  # (V_t, B, K)
    p_t = log_p_t.exp()
    entropy = -(p_t * log_p_t).sum(dim=-1).mean(dim=1)  # (V_t,): mean over images
    p_mean = p_t.mean(dim=(0, 1))  # (K,): the average output over the batch
    cross = _cross_entropies(p_t, F.log_softmax(student_logits / student_temp, -1))
    pairs = _other_views(*cross.shape, cross.device)  # (V_t, V_s)
    return {
        "teacher_entropy": entropy.mean().item(),
        "batch_entropy": -torch.special.xlogy(p_mean, p_mean).sum().item(),
        "kl": (cross - entropy[:, None])[pairs].mean().item(),
        "log_k": math.log(center.shape[0]),
    }


def _teacher_log_probs(teacher_logits, center, temp) -> torch.Tensor:
    """log P_t, centred and sharpened; detached: the teacher is a target (Eq. 2)."""
    centred = (teacher_logits - center).detach()  # (V_t, B, K)
    return F.log_softmax(centred / temp, dim=-1)  # (V_t, B, K)


def _cross_entropies(p_t: torch.Tensor, log_p_s: torch.Tensor) -> torch.Tensor:
    """H(P_t^i, P_s^j) averaged over the batch, for every pair of views (Eq. 3)."""
    per_image = rearrange(p_t, "v b k -> b v k") @ rearrange(log_p_s, "w b k -> b k w")
    return -per_image.mean(dim=0)  # (V_t, V_s)


def _other_views(n_teacher: int, n_student: int, device) -> torch.Tensor:
    """BoolTensor[V_t, V_s]: True for the pairs of different crops, i != j."""
    return ~torch.eye(n_teacher, n_student, dtype=torch.bool, device=device)


def _check_teacher(fn, teacher_logits, center, momentum=None) -> Checker:
    """Finite teacher logits (V_t, B, K), a center (K,), a momentum in [0, 1]."""
    check = Checker(fn)
    check.tensor("teacher_logits", teacher_logits, ndim=3, dims="(V_t, B, K)",
                 floating=True, finite=True, nonempty=True)  # fmt: skip
    check.tensor("center", center, ndim=1, dims="(K,)", floating=True, finite=True)
    k = teacher_logits.shape[-1]
    check.that(
        center.shape[0] == k,
        f"center must be ({k},), one entry per output of teacher_logits, got "
        f"{tuple(center.shape)}",
    )
    if momentum is not None:
        check.range("momentum", momentum, low=0.0, high=1.0)
    return check


def _check_dino_args(fn, student_logits, teacher_logits, center, *temps) -> None:
    """The teacher's, then student logits (V_s, B, K), V_s >= max(V_t, 2) (there
    is a pair i != j), positive temperatures."""
    check = _check_teacher(fn, teacher_logits, center)
    check.tensor("student_logits", student_logits, ndim=3, dims="(V_s, B, K)",
                 floating=True, finite=True, nonempty=True)  # fmt: skip
    (v_s, *b_k), (v_t, *want) = student_logits.shape, teacher_logits.shape
    check.that(
        b_k == want and v_s >= max(v_t, 2),
        f"student_logits must be (V_s, {want[0]}, {want[1]}) with V_s >= 2 and at "
        f"least the V_t={v_t} views of teacher_logits (all views, global first), "
        f"got student_logits {tuple(student_logits.shape)}, teacher_logits "
        f"{tuple(teacher_logits.shape)}",
    )
    for name, temp in zip(("student_temp", "teacher_temp"), temps):
        check.range(name, temp, low=1e-6)

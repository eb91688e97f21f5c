"""DINO's networks: the projection head, a backbone with its head, the teacher.

:class:`DINOHead` is the projection head of Caron et al. (2021, Sec. 3.1, App. C);
:class:`DINONet` puts it on a backbone's CLS token and runs all the views of a batch
in as few forwards as there are view sizes; :func:`teacher_of` makes the student's
gradient-free copy that ``train.ema_update`` moves after every step.

Taught in ``notebooks/02_self_supervised/`` (DINO lesson).
"""

from __future__ import annotations

import copy
import itertools

import torch
import torch.nn.functional as F
from torch import nn

from scratchvision.validate import Checker


class DINOHead(nn.Module):
    """The projection head: MLP, L2-normalise, weight-normalised linear (Caron et al.
    2021, Sec. 3.1 and App. C).

    ``n_layers - 1`` blocks Linear -> [BatchNorm1d] -> GELU, a Linear to the
    ``bottleneck``, an L2 normalisation, then ``Linear(bottleneck, out_dim)`` whose
    weight rows are L2-normalised in every forward: DINO's ``weight_norm`` layer with
    its gain ``g`` fixed to 1, so each output is a cosine similarity in [-1, 1].

    Args:
        in_dim: the backbone's feature width D.
        out_dim: K, the number of outputs (DINO: 65536).
        hidden: the width of the hidden layers (DINO: 2048).
        bottleneck: the width before the last layer (DINO: 256).
        n_layers: Linear layers before the last one, >= 1.
        norm: ``"batch"`` for BatchNorm1d in the hidden layers, or ``"none"``
            (DINO's default for ViTs).
    """

    def __init__(
        self, in_dim: int, *, out_dim: int = 256, hidden: int = 256,
        bottleneck: int = 64, n_layers: int = 3, norm: str = "batch",
    ) -> None:  # fmt: skip
        super().__init__()
        check = Checker("DINOHead")
        check.ints(min_value=1, in_dim=in_dim, out_dim=out_dim, hidden=hidden)
        check.ints(min_value=1, bottleneck=bottleneck, n_layers=n_layers)
        check.choice("norm", norm, ("batch", "none"))
        self.in_dim, widths = in_dim, [in_dim] + [hidden] * (n_layers - 1)
        layers = []
        for width_in, width_out in zip(widths[:-1], widths[1:]):
            layers.append(nn.Linear(width_in, width_out))
            layers += [nn.BatchNorm1d(width_out)] if norm == "batch" else []
            layers.append(nn.GELU())
        self.mlp = nn.Sequential(*layers, nn.Linear(widths[-1], bottleneck))
        self.last = nn.Linear(bottleneck, out_dim, bias=False)
        self.apply(_init_linear)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (Tensor[B, in_dim]) -> Tensor[B, out_dim], cosines in [-1, 1]."""
        _check_features(x, self.in_dim)
        z = F.normalize(self.mlp(x), dim=-1)  # (B, bottleneck), unit rows
        return z @ F.normalize(self.last.weight, dim=-1).T  # (B, out_dim)


class DINONet(nn.Module):
    """A backbone and a :class:`DINOHead` on its CLS token: ``head(encode(x)[:, 0])``.

    Args:
        backbone: a module with ``encode(images) -> Tensor[B, 1+N, D]``, CLS first
            (the course's :class:`~scratchvision.backbones.ViT`, whose ``encode``
            takes any image side divisible by its patch size).
        head: maps Tensor[B, D] to Tensor[B, K].
    """

    def __init__(self, backbone: nn.Module, head: nn.Module) -> None:
        super().__init__()
        check = Checker("DINONet")
        check.that(
            isinstance(backbone, nn.Module) and hasattr(backbone, "encode"),
            f"backbone must be an nn.Module with encode(images), got "
            f"{type(backbone).__name__}",
        )
        check.that(
            isinstance(head, nn.Module),
            f"head must be an nn.Module, got {type(head).__name__}",
        )
        self.backbone, self.head = backbone, head

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """images (Tensor[B, C, H, W]) -> Tensor[B, K]."""
        return self.head(self.backbone.encode(images)[:, 0])  # (B, K)

    def forward_views(self, views: list[torch.Tensor]) -> torch.Tensor:
        """All views at once: consecutive views of one size share one forward.

        Two global and six local views cost two forwards, not eight (DINO's
        ``MultiCropWrapper``). In train mode a BatchNorm in the head therefore
        normalises over the views of a size together, as in DINO.

        Args:
            views (list of Tensor[B, C, H_v, W_v]): e.g. :func:`multi_crop`'s.

        Returns:
            Tensor[V, B, K], in the order of ``views``.
        """
        _check_views(views)
        outputs = []
        for _, group in itertools.groupby(views, key=lambda v: v.shape[-2:]):
            group = list(group)
            out = self(torch.cat(group))  # (len(group) * B, K)
            outputs += out.chunk(len(group))  # (B, K) each
        return torch.stack(outputs)  # (V, B, K)


def teacher_of(student: nn.Module) -> nn.Module:
    """The teacher: a deep copy of the student that no gradient reaches (Sec. 3.1).

    Its parameters move only by ``ema_update(teacher, student, momentum)``. The copy
    keeps the student's mode, as DINO's teacher does: in train mode its BatchNorm
    layers normalise with the statistics of the teacher's own batch. Call
    ``.eval()`` on it to evaluate it.

    Args:
        student: the network trained by gradient descent.

    Returns:
        a new module, every parameter with ``requires_grad=False``.
    """
    Checker("teacher_of").that(
        isinstance(student, nn.Module),
        f"student must be an nn.Module, got {type(student).__name__}",
    )
    return copy.deepcopy(student).requires_grad_(False)


def _init_linear(module: nn.Module) -> None:
    if isinstance(module, nn.Linear):  # DINO's init: trunc-normal weights, zero bias
        nn.init.trunc_normal_(module.weight, std=0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)


def _check_features(x, in_dim: int) -> None:
    check = Checker("DINOHead.forward")
    check.tensor("x", x, ndim=2, dims="(B, D)", floating=True, finite=True)
    check.that(x.shape[1] == in_dim, f"x must be (B, {in_dim}), got {tuple(x.shape)}")


def _check_views(views) -> None:
    check = Checker("DINONet.forward_views")
    check.that(
        isinstance(views, (list, tuple)) and len(views) > 0,
        f"views must be a non-empty list of image tensors, got {views!r:.80}",
    )
    for i, view in enumerate(views):
        check.tensor(f"views[{i}]", view, ndim=4, dims="(B, C, H, W)")
    check.that(
        len({view.shape[0] for view in views}) == 1,
        f"views must share one batch size B, got {[v.shape[0] for v in views]}",
    )

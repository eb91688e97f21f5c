"""Bad-input cases for DINO in ``scratchvision.selfsup``: loss, center, diagnostics,
head, network, teacher, and the multi-crop views.

See ``tests/contract.py`` for the harness.
"""

from __future__ import annotations

import torch
from contract import (
    EMPTY,
    IMAGE,
    INTEGER_DTYPE,
    NAN,
    POSITIVE,
    PROBABILITY,
    SIZE,
    TENSOR,
    WRONG_CHANNELS,
    Case,
    Mutation,
)
from scratchvision.backbones.vit import vit_tiny
from scratchvision.selfsup.dino import collapse_diagnostics, dino_loss, update_center
from scratchvision.selfsup.dino_net import DINOHead, DINONet, teacher_of
from scratchvision.selfsup.views import multi_crop
from torch import nn

LOGITS = (*TENSOR, NAN, EMPTY, INTEGER_DTYPE)
WIDER = Mutation("K + 1 outputs", lambda t: torch.cat([t, t[..., :1]], dim=-1))
MORE_VIEWS = Mutation("more views than the student", lambda t: torch.cat([t] * 4))
ONE_VIEW = Mutation("one view: no pair i != j", lambda t: t[:1])
GENERATOR = (None, 0, "seed")


def _randn(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def _logits():
    return {
        "student_logits": _randn(4, 3, 8, seed=1),
        "teacher_logits": _randn(2, 3, 8, seed=2),
        "center": torch.zeros(8),
    }


_LOGITS_BAD = {
    "student_logits": (*LOGITS, WIDER, ONE_VIEW),
    "teacher_logits": (*LOGITS, WIDER, MORE_VIEWS),
    "center": (*TENSOR, NAN, WIDER),
    "student_temp": POSITIVE,
    "teacher_temp": POSITIVE,
}


def _net():
    torch.manual_seed(0)
    head = DINOHead(64, out_dim=16, hidden=16, bottleneck=8, norm="none")
    return DINONet(vit_tiny(image_size=32, patch_size=4), head)


def _images(side=32, b=2):
    return torch.rand(b, 3, side, side, generator=torch.Generator().manual_seed(0))


CASES = [
    Case("selfsup.dino_loss", dino_loss, _logits, _LOGITS_BAD),
    Case("selfsup.collapse_diagnostics", collapse_diagnostics, _logits, _LOGITS_BAD),
    Case(
        "selfsup.update_center",
        update_center,
        lambda: {"center": torch.zeros(8), "teacher_logits": _randn(2, 3, 8)},
        {
            "center": (*TENSOR, NAN, WIDER),
            "teacher_logits": (*LOGITS, WIDER),
            "momentum": PROBABILITY,
        },
    ),
    Case(
        "selfsup.DINOHead",
        DINOHead,
        lambda: {"in_dim": 8, "out_dim": 16, "hidden": 8, "bottleneck": 4},
        {
            "in_dim": SIZE,
            "out_dim": SIZE,
            "hidden": SIZE,
            "bottleneck": SIZE,
            "n_layers": SIZE,
            "norm": ("layer", None),
        },
    ),
    Case(
        "selfsup.DINOHead.forward",
        lambda x: DINOHead(8, out_dim=16, hidden=8, bottleneck=4).eval()(x),
        lambda: {"x": _randn(3, 8)},
        {"x": (*TENSOR, NAN, INTEGER_DTYPE, WIDER)},
    ),
    Case(
        "selfsup.DINONet",
        DINONet,
        lambda: {
            "backbone": vit_tiny(image_size=32, patch_size=4),
            "head": DINOHead(64),
        },
        {"backbone": (nn.Linear(4, 4), "vit"), "head": (None, "head")},
    ),
    Case(
        "selfsup.DINONet.forward",
        lambda images: _net().eval()(images),
        lambda: {"images": _images()},
        {"images": (*IMAGE, WRONG_CHANNELS, _images(side=30))},
    ),
    Case(
        "selfsup.DINONet.forward_views",
        lambda views: _net().eval().forward_views(views),
        lambda: {"views": [_images(), _images(), _images(16), _images(16)]},
        {
            "views": (
                [],
                None,
                Mutation("a tensor, not a list", lambda v: v[0]),
                Mutation("batch sizes differ", lambda v: [v[0], _images(16, b=3)]),
                Mutation("an entry not a tensor", lambda v: [v[0], [1.0]]),
            )
        },
    ),
    Case(
        "selfsup.teacher_of",
        teacher_of,
        lambda: {"student": _net()},
        {"student": (None, "net", Mutation("a function", lambda m: _net))},
    ),
    Case(
        "selfsup.multi_crop",
        multi_crop,
        lambda: {"images": _images(), "n_local": 2, "generator": torch.Generator()},
        {
            "images": (*IMAGE, WRONG_CHANNELS, INTEGER_DTYPE),
            "n_global": SIZE,
            "n_local": (-1, 2.5, "2"),
            "global_size": SIZE,
            "local_size": SIZE,
            "global_scale": ((0.5,), (0.6, 0.2), (0.0, 1.0), (0.5, 1.5), "ab"),
            "local_scale": ((0.5,), (0.6, 0.2), (0.05, float("nan")), 0.4),
            "generator": GENERATOR,
        },
    ),
]

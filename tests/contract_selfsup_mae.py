"""Bad-input cases for MAE (``selfsup``) and the feature probes (``metrics``).

See ``tests/contract.py`` for the harness.
"""

from __future__ import annotations

import torch
from contract import (
    EMPTY,
    IMAGE,
    NAN,
    NOT_TENSOR,
    POSITIVE,
    SIZE,
    TENSOR,
    Case,
    Mutation,
)
from scratchvision import metrics
from scratchvision.backbones import vit_tiny
from scratchvision.selfsup.attention_masks import (
    attention_iou,
    attention_mask,
    cls_attention,
)
from scratchvision.selfsup.mae import MAE, mae_loss
from scratchvision.selfsup.masking import random_masking

FLOAT_LABELS = Mutation("float labels", lambda t: t.float())
SHORT = Mutation("one row short", lambda t: t[1:])
NEGATIVE_LABEL = Mutation("negative label", lambda t: t - 5)
RATIO = (-0.1, 1.0, 0.99, float("nan"), "half")


def _rand(*shape, seed=0):
    return torch.rand(*shape, generator=torch.Generator().manual_seed(seed))


def _mae():
    return MAE(vit_tiny(image_size=16, patch_size=4), decoder_dim=16, decoder_depth=1)


def _probe_args():
    labels = torch.tensor([0, 1, 2, 0, 1, 2])
    return dict(
        train_features=_rand(6, 4),
        train_labels=labels,
        test_features=_rand(6, 4, seed=1),
        test_labels=labels.clone(),
    )


PROBE_BAD = dict(
    train_features=(*TENSOR, NAN, EMPTY),
    train_labels=(NOT_TENSOR, FLOAT_LABELS, SHORT, NEGATIVE_LABEL),
    test_features=(*TENSOR, NAN, Mutation("other width", lambda t: t[:, :2])),
    test_labels=(NOT_TENSOR, FLOAT_LABELS, SHORT),
)

CASES = [
    Case(
        "selfsup.random_masking",
        random_masking,
        lambda: dict(tokens=_rand(2, 8, 4), mask_ratio=0.75),
        dict(tokens=(*IMAGE,), mask_ratio=RATIO, generator=(3, "seed")),
    ),
    Case(
        "selfsup.mae_loss",
        mae_loss,
        lambda: dict(
            pred=_rand(2, 4, 6),
            target=_rand(2, 4, 6, seed=1),
            mask=torch.tensor([[1.0, 0, 0, 1], [0, 1, 0, 0]]),
        ),
        dict(
            pred=(*IMAGE, Mutation("other width", lambda t: t[..., :3])),
            target=(*IMAGE,),
            mask=(NOT_TENSOR, NAN, SHORT, Mutation("nothing masked", torch.zeros_like)),
            norm_pix=("yes", 1),
        ),
    ),
    Case(
        "selfsup.MAE",
        MAE,
        lambda: dict(encoder=vit_tiny(image_size=16, patch_size=4), decoder_dim=16),
        dict(
            encoder=(torch.nn.Linear(2, 2), "vit"),
            decoder_dim=(*SIZE, 18),
            decoder_depth=SIZE,
            decoder_heads=(*SIZE, 3),
            norm_pix=("yes", 1),
        ),
    ),
    Case(
        "selfsup.MAE.forward",
        lambda images: _mae()(images),
        lambda: dict(images=_rand(2, 3, 16, 16)),
        dict(images=(*IMAGE, torch.rand(2, 3, 32, 32), torch.rand(2, 1, 16, 16))),
    ),
    Case(
        "metrics.knn_accuracy",
        metrics.knn_accuracy,
        lambda: {**_probe_args(), "k": 3},
        {**PROBE_BAD, "k": SIZE, "temperature": POSITIVE},
    ),
    Case(
        "metrics.linear_probe",
        metrics.linear_probe,
        _probe_args,
        {**PROBE_BAD, "weight_decay": (-1.0, float("nan")), "steps": SIZE},
    ),
]

BOOL_MASK = (NOT_TENSOR, Mutation("float mask", lambda t: t.float()), EMPTY)

CASES += [
    Case(
        "metrics.mask_iou",
        metrics.mask_iou,
        lambda: dict(pred=torch.rand(2, 4, 4) > 0.5, target=torch.rand(2, 4, 4) > 0.5),
        dict(
            pred=(*BOOL_MASK, Mutation("one dim too few", lambda t: t[0])),
            target=(*BOOL_MASK, Mutation("other size", lambda t: t[:, :2])),
        ),
    ),
    Case(
        "selfsup.attention_mask",
        attention_mask,
        lambda: dict(
            attention=torch.rand(2, 16).softmax(-1), grid=(4, 4), size=(16, 16)
        ),
        dict(
            attention=(*IMAGE, Mutation("wrong N", lambda t: t[:, :15])),
            grid=(0, (4,), "4"),
            size=((15, 16), 0),
            mass=(-0.1, 1.5, float("nan")),
        ),
    ),
    Case(
        "selfsup.cls_attention",
        cls_attention,
        lambda: dict(
            vit=vit_tiny(image_size=16, patch_size=4), images=_rand(2, 3, 16, 16)
        ),
        dict(
            vit=(torch.nn.Linear(2, 2), "vit"),
            images=(*IMAGE, torch.rand(2, 3, 15, 16)),
        ),
    ),
]

CASES += [
    Case(
        "selfsup.attention_iou",
        attention_iou,
        lambda: dict(
            vit=vit_tiny(image_size=16, patch_size=4),
            images=_rand(2, 3, 16, 16),
            masks=torch.rand(2, 16, 16) > 0.5,
        ),
        dict(
            vit=(torch.nn.Linear(2, 2),),
            images=(*IMAGE,),
            masks=(NOT_TENSOR, Mutation("float mask", lambda t: t.float())),
            mass=(-0.1, 1.5, float("nan")),
        ),
    ),
]

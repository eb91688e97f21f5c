"""Zoo recipes for chapter 2: pre-train without labels, then judge the features.

``pretrain_mae`` trains an :class:`MAE` on a stream of fresh ShapeWorld scenes whose
labels it never reads; ``finetune`` starts a ViT classifier from a pre-trained zoo
card's encoder and trains it like chapter 1's recipe (``train_shapeworld``), so that a
pre-trained and a from-scratch run differ in their first weights only. ``eval_features``
scores a frozen encoder by k-NN and a linear probe on ShapeWorld's test split.

Notebooks: ``notebooks/02_self_supervised/``.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from scratchvision.backbones.recipes import _test_scenes, train_shapeworld
from scratchvision.backbones.vit import vit_tiny
from scratchvision.data import shapeworld_classify
from scratchvision.data.datasets import SPLITS
from scratchvision.data.stream import classification_stream, render_scenes
from scratchvision.metrics import knn_accuracy, linear_probe
from scratchvision.selfsup.mae import MAE
from scratchvision.train import fit, seed_everything, warmup_cosine


def mae_tiny(
    *, image_size: int = 32, patch_size: int = 4, tokenizer: str = "patch", **decoder
) -> MAE:
    """The chapter's MAE: chapter 1's ViT-tiny (any tokenizer) as encoder.

    ``decoder``: :class:`MAE`'s keyword arguments (default: 2 blocks of width 64).
    """
    encoder = vit_tiny(
        image_size=image_size, patch_size=patch_size, tokenizer=tokenizer
    )
    return MAE(encoder, **decoder)


def pretrain_mae(
    model: MAE,
    *,
    steps: int = 3000,
    batch_size: int = 128,
    lr: float = 1.5e-3,
    warmup: float = 0.05,
    weight_decay: float = 0.05,
    image_size: int = 32,
    augment: bool = True,
    seed: int = 0,
    device: str | torch.device = "cpu",
) -> dict[str, list[float]]:
    """MAE pre-training on fresh unlabelled scenes (He et al. 2022, Sec. 4 / A.1).

    AdamW with betas (0.9, 0.95), a linear warm-up then cosine decay; each image gets
    its own random mask at every step. Labels in the stream are dropped unread.
    """
    generator = seed_everything(seed)
    world = shapeworld_classify(size=image_size)
    stream = classification_stream(
        world, batch_size=batch_size, augment=augment, seed=seed
    )
    decay = [p for p in model.parameters() if p.ndim > 1]
    rest = [p for p in model.parameters() if p.ndim <= 1]
    opt = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": weight_decay},
            {"params": rest, "weight_decay": 0.0},
        ],
        lr=lr,
        betas=(0.9, 0.95),
    )

    def step(mae, batch):
        images, _ = batch  # the labels are never used
        return mae(images, generator=generator)[0]

    history = fit(
        model,
        stream,
        step=step,
        steps=steps,
        log_every=math.ceil(steps / 20),
        optimizer=opt,
        scheduler=warmup_cosine(opt, steps, warmup),
        device=device,
        progress=False,
        verbose=False,
    )
    return {
        "step": [int(v) for v in history.series("step")],
        "train_loss": [round(v, 4) for v in history.series("train_loss")],
        "seconds": [round(v, 1) for v in history.series("seconds")],
    }


def finetune(
    model: nn.Module, *, init: str, root: str | None = None, **recipe
) -> dict[str, list[float]]:
    """Chapter 1's ``train_shapeworld``, starting from zoo card ``init``'s encoder.

    ``init`` names a pre-trained card (an :class:`MAE`); its encoder's weights, all but
    the classification head (which pre-training never trained), are copied into
    ``model`` before training. ``root``: the zoo folder that holds ``init`` (default:
    the committed checkpoints).
    """
    from scratchvision import zoo

    encoder = zoo.load(init, root=root).encoder
    state = {k: v for k, v in encoder.state_dict().items() if not k.startswith("head.")}
    own = model.state_dict()
    wrong = sorted(
        k for k, v in state.items() if k not in own or own[k].shape != v.shape
    )
    extra = sorted(k for k in own if k not in state and not k.startswith("head."))
    if wrong or extra:
        raise ValueError(
            f"finetune: model must have the encoder of {init!r}; tensors that differ: "
            f"{(wrong + extra)[:5]}"
        )
    model.load_state_dict(state, strict=False)
    return train_shapeworld(model, **recipe)


@torch.no_grad()
def encoder_features(
    encoder: nn.Module, images: torch.Tensor, *, pool: str = "cls", batch_size=500
) -> torch.Tensor:
    """Frozen features Tensor[B, D]: the final CLS token, or the mean patch token."""
    encoder.eval()
    out = []
    for chunk in images.split(batch_size):
        tokens = encoder.encode(chunk)  # (b, 1+N, D)
        out.append(tokens[:, 0] if pool == "cls" else tokens[:, 1:].mean(1))
    return torch.cat(out)  # (B, D)


def eval_features(
    model: nn.Module,
    *,
    n_train: int = 4096,
    n_test: int = 2000,
    image_size: int = 32,
    pool: str = "mean",
) -> dict[str, float]:
    """k-NN (k=20, T=0.07) and linear-probe accuracy of frozen features.

    The labelled bank is the first ``n_train`` scenes of ShapeWorld's train split; the
    score is on the first ``n_test`` of its test split. ``model`` is an encoder, or an
    :class:`MAE` (its encoder is scored).
    """
    encoder = model.encoder if isinstance(model, MAE) else model
    world = shapeworld_classify(size=image_size)
    images, labels = render_scenes(world, n_train, split="train", seed=0)
    test = _test_scenes(n_test, image_size).tensors
    bank = encoder_features(encoder, images.float() / 255, pool=pool)
    query = encoder_features(encoder, test[0], pool=pool)
    return {
        "knn": knn_accuracy(bank, labels, query, test[1]),
        "linear_probe": linear_probe(bank, labels, query, test[1]),
    }


def object_scenes(n: int, *, split: str = "test", image_size: int = 32):
    """``n`` classification scenes with their object masks: (images, labels, masks)."""
    world = shapeworld_classify(size=image_size)
    scenes = [world.scene(SPLITS[split] + i) for i in range(n)]
    images = torch.stack([s.image for s in scenes])  # (n, 3, S, S)
    labels = torch.stack([s.labels[0] for s in scenes])  # (n,)
    return images, labels, torch.stack([s.semantic > 0 for s in scenes])

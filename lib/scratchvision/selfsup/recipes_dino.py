"""Zoo recipe for DINO: a student, its EMA teacher, multi-crop views, no labels.

``pretrain_dino`` is Algorithm 1 of Caron et al. (2021) on a stream of fresh ShapeWorld
scenes. The state the paper keeps in buffers is explicit here: the teacher is a copy
updated by ``ema_update`` after every step, the center a tensor passed to
``dino_loss`` and replaced by ``update_center``. ``centering=False`` or
``sharpening=False`` switch off one of the two forces against collapse (Sec. 5.3,
Fig. 7): the diagnostics logged every record show the collapse that follows.

The checkpoint is the *teacher* (the network the paper evaluates and whose attention
it shows); the student's weights are dropped at the end.

Notebooks: ``notebooks/02_self_supervised/02_dino.ipynb``.
"""

from __future__ import annotations

import math

import torch

from scratchvision.backbones.vit import vit_tiny
from scratchvision.data import shapeworld_classify
from scratchvision.data.stream import classification_stream
from scratchvision.selfsup.attention_masks import attention_iou
from scratchvision.selfsup.dino import collapse_diagnostics, dino_loss, update_center
from scratchvision.selfsup.dino_net import DINOHead, DINONet, teacher_of
from scratchvision.selfsup.recipes import eval_features, object_scenes
from scratchvision.selfsup.views import multi_crop
from scratchvision.train import ema_update, fit, seed_everything, warmup_cosine


def dino_tiny(
    *,
    image_size: int = 32,
    patch_size: int = 4,
    out_dim: int = 256,
    norm: str = "batch",
    **vit,
) -> DINONet:
    """Chapter 1's ViT-tiny with a DINO head of K = ``out_dim`` outputs."""
    backbone = vit_tiny(image_size=image_size, patch_size=patch_size, **vit)
    return DINONet(backbone, DINOHead(backbone.feature_dim, out_dim=out_dim, norm=norm))


def cosine_ramp(start: float, end: float, i: int, total: int) -> float:
    """``start`` at step 0 rising (or falling) to ``end`` at ``total`` on a cosine."""
    return end - (end - start) * (math.cos(math.pi * min(i, total) / total) + 1) / 2


def pretrain_dino(
    model: DINONet,
    *,
    steps: int = 3000,
    batch_size: int = 64,
    lr: float = 1e-3,
    warmup: float = 0.1,
    weight_decay: float = 0.04,
    student_temp: float = 0.1,
    teacher_temp: tuple[float, float] = (0.04, 0.07),
    temp_warmup: float = 0.3,
    momentum: tuple[float, float] = (0.99, 1.0),
    center_momentum: float = 0.9,
    centering: bool = True,
    sharpening: bool = True,
    n_local: int = 4,
    image_size: int = 32,
    seed: int = 0,
    device: str | torch.device = "cpu",
) -> dict[str, list[float]]:
    """DINO pre-training on fresh unlabelled scenes (Caron et al. 2021, Algorithm 1).

    AdamW with warm-up and cosine decay; the teacher temperature rises linearly over
    the first ``temp_warmup`` of the steps, the EMA momentum on a cosine from
    ``momentum[0]`` to ``momentum[1]``. Without ``sharpening`` the teacher uses the
    student's temperature; without ``centering`` the center stays zero.
    """
    generator = seed_everything(seed)
    world = shapeworld_classify(size=image_size)
    stream = classification_stream(
        world, batch_size=batch_size, augment=False, seed=seed
    )
    teacher = teacher_of(model).to(device)
    state = {
        "center": torch.zeros(model.head.last.out_features, device=device),
        "step": 0,
    }
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)

    def step(student, batch):
        views = multi_crop(
            batch[0],
            n_local=n_local,
            global_size=image_size,
            local_size=image_size // 2,
            generator=generator,
        )
        ramp = min(1.0, state["step"] / max(1, temp_warmup * steps))
        temp = teacher_temp[0] + ramp * (teacher_temp[1] - teacher_temp[0])
        temp = temp if sharpening else student_temp
        with torch.no_grad():
            t = teacher.forward_views(views[:2])  # (2, B, K)
        s = student.forward_views(views)  # (2 + n_local, B, K)
        loss = dino_loss(
            s, t, state["center"], student_temp=student_temp, teacher_temp=temp
        )
        diag = collapse_diagnostics(
            s.detach(), t, state["center"], student_temp=student_temp, teacher_temp=temp
        )
        if centering:
            state["center"] = update_center(
                state["center"], t, momentum=center_momentum
            )
        return {"loss": loss, **{k: v for k, v in diag.items() if k != "log_k"}}

    def after_step(i):
        state["step"] = i
        ema_update(teacher, model, cosine_ramp(*momentum, i, steps))

    history = fit(
        model,
        stream,
        step=step,
        steps=steps,
        log_every=math.ceil(steps / 20),
        optimizer=opt,
        scheduler=warmup_cosine(opt, steps, warmup),
        after_step=after_step,
        device=device,
        progress=False,
        verbose=False,
    )
    model.load_state_dict(teacher.state_dict())  # the checkpoint is the teacher
    keys = (
        "train_loss",
        "train_teacher_entropy",
        "train_batch_entropy",
        "train_kl",
        "seconds",
    )
    log = {k: [round(v, 4) for v in history.series(k)] for k in keys}
    return {"step": [int(v) for v in history.series("step")], **log}


def eval_dino(
    model: DINONet, *, n_train: int = 4096, n_test: int = 2000, image_size: int = 32
) -> dict[str, float]:
    """k-NN and linear-probe accuracy of the backbone's CLS features, and attention IoU.

    The IoU (:func:`attention_iou`) is the mean over the first 500 test scenes.
    """
    backbone = model.backbone if isinstance(model, DINONet) else model
    scores = eval_features(
        backbone, n_train=n_train, n_test=n_test, image_size=image_size, pool="cls"
    )
    images, _, masks = object_scenes(500, image_size=image_size)
    iou = attention_iou(backbone.eval(), images, masks)
    return {**scores, "attention_iou": iou.mean().item()}

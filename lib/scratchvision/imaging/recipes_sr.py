"""Zoo recipes for super-resolution (lesson 5.2) and for the loss study (lesson 5.4).

The generic machinery is ``imaging.recipes``: pair functions, the ``PairStream`` of
fresh training patches, ``train_restorer`` (an L1 or L2 loss) and the held-out test
crops. This file adds what super-resolution needs on top:

* ``realistic_pair``: training pairs from Real-ESRGAN's degradation instead of bicubic
  downsampling (the RealSR lesson: a net only undoes the degradation it was trained on);
* ``train_srgan``: a content loss (pixel or perceptual) plus an optional adversarial
  term from a PatchGAN critic, the recipe of SRGAN (Ledig et al. 2017, Eq. 3). With
  ``adversarial_weight=0`` and an L1 content loss it is exactly ``train_restorer``, so
  all four nets of the loss study see the same patches, steps and learning-rate
  schedule;
* ``eval_sr``: held-out PSNR, SSIM, perceptual distance and amount of detail, next to
  bicubic upsampling's.

Notebooks: ``notebooks/05_imaging/02_super_resolution.ipynb``, ``04_losses.ipynb``.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping

import torch
from torch import nn

from scratchvision.data.natural import natural_images, natural_split
from scratchvision.imaging.blur import blur, gaussian_kernel
from scratchvision.imaging.degrade import bicubic_upsample, realistic_sr_degradation
from scratchvision.imaging.discriminator import PatchGAN
from scratchvision.imaging.losses import gan_d_loss, gan_g_loss, perceptual_loss
from scratchvision.imaging.metrics import (
    perceptual_distance,
    psnr,
    random_features,
    ssim,
)
from scratchvision.imaging.recipes import (
    PIXEL_LOSSES,
    Pair,
    PairStream,
    bicubic_pair,
    heldout_pairs,
    resolve_pair,
    restoration_loss,
    restore,
)
from scratchvision.train import seed_everything
from scratchvision.validate import check_choice, check_int, check_range

CONTENT_LOSSES = (*PIXEL_LOSSES, "perceptual")

#: The feature net of the perceptual *loss*: a random CNN with another seed than the
#: one ``perceptual_distance`` measures with (seed 0), so no net is scored by the
#: network it trained on.
TRAINING_FEATURES = functools.partial(random_features, seed=1)


def realistic_pair(
    clean: torch.Tensor, *, scale: int, generator: torch.Generator | None = None
):
    """SR pairs from ``realistic_sr_degradation``: blur, resize, noise and JPEG.

    Their parameters are drawn per patch.
    """
    return realistic_sr_degradation(clean, scale, generator=generator), clean


def content_loss(
    outputs: torch.Tensor, targets: torch.Tensor, *, content: str = "l1"
) -> torch.Tensor:
    """The content loss: ``l1``, ``l2`` or ``perceptual`` (Johnson et al. 2016, Eq. 2).

    ``l1`` and ``l2`` are ``recipes.restoration_loss``. The perceptual loss compares
    ``TRAINING_FEATURES``: offline random-CNN features, as the notebook explains;
    ``metrics.vgg16_features()`` is the ImageNet alternative.
    """
    check_choice("content", content, CONTENT_LOSSES, fn="content_loss")
    if content == "perceptual":
        return perceptual_loss(outputs, targets, features=TRAINING_FEATURES)
    return restoration_loss(outputs, targets, loss=content)


def train_srgan(
    model: nn.Module,
    *,
    degrade: str | Pair = bicubic_pair,
    degrade_kwargs: Mapping | None = None,
    content: str = "l1",
    adversarial_weight: float = 0.01,
    steps: int = 400,
    epochs: int = 10,
    batch_size: int = 16,
    patch_size: int = 48,
    lr: float = 2e-3,
    critic_lr: float = 2e-4,
    seed: int = 0,
) -> dict[str, list[float]]:
    """Train a super-resolver on a content plus adversarial loss; return the curves.

    The loss is ``content + adversarial_weight * adversarial``. SRGAN's perceptual loss
    (Ledig et al. 2017, Eq. 3) is a content loss plus ``10^-3`` times the generator's
    adversarial loss; the default weight ``0.01`` is pix2pix's
    balance (Isola et al. 2017: ``λ_L1 = 100`` for a GAN weight of 1) and suits an L1
    content loss. The critic is a PatchGAN (``n_layers=2``: 34-pixel patches, width 32)
    that sees images scaled to [-1, 1] and is trained with Adam (β1 = 0.5), both as in
    pix2pix; it is thrown away after training, so the zoo stores the generator only. The
    generator's optimiser, schedule and patches are those of ``recipes.train_restorer``:
    ``adversarial_weight=0`` with ``content='l1'`` reproduces it exactly.

    Args:
        model: a super-resolver, e.g. ``restorers.sr_small()``.
        degrade, degrade_kwargs: the pair function (default bicubic) and its arguments,
            e.g. ``{"scale": 2}``.
        content: ``'l1'``, ``'l2'`` or ``'perceptual'`` (see :func:`content_loss`).
        adversarial_weight: weight of ``losses.gan_g_loss``; 0 trains without a critic.
        critic_lr: the critic's learning rate (constant).

    Returns:
        ``{"train_loss", "train_psnr", "critic_loss", "seconds"}``, one value per epoch
        (``critic_loss`` only with a critic).
    """
    fn = "train_srgan"
    check_choice("content", content, CONTENT_LOSSES, fn=fn)
    check_range("adversarial_weight", adversarial_weight, low=0.0, fn=fn)
    check_int("steps", steps, min_value=1, fn=fn)
    check_int("epochs", epochs, min_value=1, fn=fn)
    if steps % epochs:
        raise ValueError(
            f"{fn}: steps must be a multiple of epochs={epochs}, got {steps}"
        )
    generator = seed_everything(seed)  # the same patches as train_restorer(seed=seed)
    stream = PairStream(
        natural_images(names=natural_split()[0]),
        resolve_pair(degrade),
        batches=steps // epochs,
        batch_size=batch_size,
        patch_size=patch_size,
        generator=generator,
        **(degrade_kwargs or {}),
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=lr, total_steps=steps, pct_start=0.1
    )
    critic = critic_optimizer = None
    if adversarial_weight > 0:
        critic = PatchGAN(in_channels=model.channels, width=32, n_layers=2)
        critic_optimizer = torch.optim.Adam(
            critic.parameters(), lr=critic_lr, betas=(0.5, 0.999)
        )
    log: dict[str, list[float]] = {"train_loss": [], "train_psnr": [], "seconds": []}
    for _ in range(epochs):
        start, sums = time.perf_counter(), {}
        model.train()
        for low_res, high_res in stream:
            step = srgan_step(
                model,
                critic,
                optimizer,
                critic_optimizer,
                low_res,
                high_res,
                content=content,
                adversarial_weight=adversarial_weight,
            )
            scheduler.step()
            sums = {k: sums.get(k, 0.0) + v for k, v in step.items()}
        for key, total in sums.items():
            log.setdefault(key, []).append(round(total / len(stream), 4))
        log["seconds"].append(round(time.perf_counter() - start, 4))
    return log


def srgan_step(
    model: nn.Module,
    critic: nn.Module | None,
    optimizer: torch.optim.Optimizer,
    critic_optimizer: torch.optim.Optimizer | None,
    low_res: torch.Tensor,
    high_res: torch.Tensor,
    *,
    content: str,
    adversarial_weight: float,
) -> dict[str, float]:
    """One critic step, if any, then one generator step (Ledig et al. 2017, Sec. 2.1).

    Args:
        low_res (Tensor[B, C, h, w]), high_res (Tensor[B, C, H, W]): a batch of
            training pairs.

    Returns:
        ``{"train_loss", "train_psnr"}`` of the generator, plus ``"critic_loss"`` with a
        critic.
    """
    fake = model(low_res)  # (B, C, H, W)
    record = {}
    if critic is not None:
        critic_loss = gan_d_loss(
            critic(2 * high_res - 1), critic(2 * fake.detach() - 1)
        )  # real -> 1, fake -> 0
        critic_optimizer.zero_grad(set_to_none=True)
        critic_loss.backward()
        critic_optimizer.step()
        record["critic_loss"] = critic_loss.item()
    loss = content_loss(fake, high_res, content=content)
    if (
        critic is not None
    ):  # the critic's gradients from this pass are cleared before its next step
        loss = loss + adversarial_weight * gan_g_loss(critic(2 * fake - 1))
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    with torch.no_grad():
        record.update(
            train_loss=loss.item(), train_psnr=psnr(fake.clamp(0, 1), high_res).item()
        )
    return record


def detail_ratio(
    pred: torch.Tensor, target: torch.Tensor, *, sigma: float = 1.0
) -> torch.Tensor:
    """How much fine detail ``pred`` has, as a fraction of what ``target`` has.

    The detail layer of unsharp masking, ``x - G_σ * x``, holds what a Gaussian blur
    removes; its mean absolute value measures how much fine detail a batch of images
    has. The ratio is 1 when ``pred`` has as much as the real images, below 1 for blur,
    above 1 for noise or over-sharpening. It compares amounts, not positions: plausible
    texture in the wrong place counts as detail. That makes it a crude *no-reference*
    measure of perceptual quality in the sense of Blau & Michaeli 2018 (how far the
    outputs' statistics are from natural images'), unlike PSNR or
    ``perceptual_distance``, which compare each output with its target.

    Args:
        pred, target (Tensor[B, C, H, W]): images in [0, 1], H, W >= 5.

    Returns:
        Tensor[]: the ratio of the batches' mean detail.
    """
    kernel = gaussian_kernel(5, sigma)  # (5, 5)
    detail_pred, detail_target = (
        (x - blur(x, kernel)).abs().mean() for x in (pred, target)
    )
    return detail_pred / detail_target


def eval_sr(
    model: nn.Module,
    *,
    degrade: str | Pair = bicubic_pair,
    degrade_kwargs: Mapping | None = None,
    n_crops: int = 32,
    size: int = 64,
    seed: int = 0,
) -> dict[str, float]:
    """Held-out scores of a super-resolver and of bicubic upsampling on the same inputs.

    The test set is ``recipes.heldout_pairs``: ``n_crops`` crops of the held-out photos
    at fixed seeds. ``perceptual`` is ``metrics.perceptual_distance`` with its default
    random-CNN features.

    Returns:
        ``psnr``, ``ssim``, ``perceptual`` and ``detail`` (:func:`detail_ratio`) of the
        model, and the same with a ``_bicubic`` suffix for bicubic upsampling: PSNR in
        dB and SSIM (higher is better), perceptual distance (lower is better), detail
        ratio (1 = as much as the originals).
    """
    low_res, high_res = heldout_pairs(
        degrade, degrade_kwargs=degrade_kwargs, n_crops=n_crops, size=size, seed=seed
    )
    scale = high_res.shape[-1] // low_res.shape[-1]
    scores = {}
    for suffix, restored in (
        ("", restore(model, low_res)),
        ("_bicubic", bicubic_upsample(low_res, scale)),
    ):
        scores[f"psnr{suffix}"] = psnr(restored, high_res).item()
        scores[f"ssim{suffix}"] = ssim(restored, high_res).item()
        scores[f"perceptual{suffix}"] = perceptual_distance(restored, high_res).item()
        scores[f"detail{suffix}"] = detail_ratio(restored, high_res).item()
    return scores

"""SRGAN's recipe: a content loss plus an adversarial one, trained as a two-player game.

The generator (a super-resolver) is trained by ``train.fit``; the critic, a PatchGAN,
is trained inside the step function with an optimiser of its own: ``srgan_step``
updates the critic, then returns the generator's loss for ``fit`` to minimise. Without a
critic (``adversarial_weight=0``) and with an L1 content loss, ``train_srgan`` is
exactly ``training.train_restorer``, so the four nets of the loss study see the same
patches, steps and learning-rate schedule.

Notebook: ``notebooks/05_imaging/04_losses.ipynb``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

import torch
from torch import nn

from scratchvision.imaging.discriminator import PatchGAN
from scratchvision.imaging.losses import gan_d_loss, gan_g_loss, perceptual_loss
from scratchvision.imaging.pairs import Pair, bicubic_pair
from scratchvision.imaging.training import (
    PIXEL_LOSSES,
    curves,
    fit_arguments,
    restoration_loss,
)
from scratchvision.metrics import ZooFeatures, psnr, random_features, vgg16_features
from scratchvision.train import fit
from scratchvision.validate import check_choice, check_range

CONTENT_LOSSES = (*PIXEL_LOSSES, "perceptual")

#: The feature nets a perceptual *loss* can compare with. ``shapeworld`` (the default)
#: is trained by the course itself, offline: the first three stages of the zoo's
#: ``vgg-shapeworld`` classifier (``metrics.ZooFeatures``). ``random`` is a random CNN
#: with another seed than the one ``perceptual_distance`` measures with (seed 0), so
#: no net is scored by the network it trained on. ``imagenet`` is torchvision's VGG16,
#: opt-in and online (``metrics.vgg16_features``: its weights must be cached or
#: downloaded).
FEATURES = {
    "shapeworld": lambda: ZooFeatures("vgg-shapeworld", n_stages=3),
    "random": lambda: functools.partial(random_features, seed=1),
    "imagenet": lambda: vgg16_features("IMAGENET1K_V1"),
}


def content_loss(
    outputs: torch.Tensor,
    targets: torch.Tensor,
    *,
    content: str = "l1",
    features=None,
    pixel_weight: float = 0.0,
) -> torch.Tensor:
    """The content loss: ``l1``, ``l2`` or ``perceptual`` (Johnson et al. 2016, Eq. 2).

    ``l1`` and ``l2`` are ``training.restoration_loss``. The perceptual loss compares
    ``features`` (a feature net of :data:`FEATURES`; default: the course-trained
    ``shapeworld`` one), plus ``pixel_weight`` times L1, which keeps colours that the
    features barely see in place (ESRGAN, Wang et al. 2018, Eq. 3, uses such a term).
    """
    check_choice("content", content, CONTENT_LOSSES, fn="content_loss")
    check_range("pixel_weight", pixel_weight, low=0.0, fn="content_loss")
    if content == "perceptual":
        features = FEATURES["shapeworld"]() if features is None else features
        loss = perceptual_loss(outputs, targets, features=features)
        if pixel_weight:
            loss = loss + pixel_weight * restoration_loss(outputs, targets, loss="l1")
        return loss
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
    features: str = "shapeworld",
    pixel_weight: float = 0.0,
    init: str | None = None,
    seed: int = 0,
) -> dict[str, list[float]]:
    """Train a super-resolver on a content plus adversarial loss; return the curves.

    The loss is ``content + adversarial_weight * adversarial``. SRGAN's perceptual loss
    (Ledig et al. 2017, Eq. 3) is a content loss plus ``10^-3`` times the generator's
    adversarial loss; the default weight ``0.01`` is pix2pix's
    balance (Isola et al. 2017: ``λ_L1 = 100`` for a GAN weight of 1) and suits an L1
    content loss. The critic is a PatchGAN (``n_layers=2``: 34-pixel patches, width 32)
    that sees images scaled to [-1, 1] and is trained with Adam (β1 = 0.5), both as in
    pix2pix; it is thrown away after training, so the zoo stores the generator only.
    The generator's optimiser, schedule and patches are those of
    ``training.train_restorer``: ``adversarial_weight=0`` with ``content='l1'``
    reproduces it exactly.

    Args:
        model: a super-resolver, e.g. ``restorers.sr_small()``.
        degrade, degrade_kwargs: the pair function (default bicubic) and its arguments,
            e.g. ``{"scale": 2}``.
        content: ``'l1'``, ``'l2'`` or ``'perceptual'`` (see :func:`content_loss`).
        adversarial_weight: weight of ``losses.gan_g_loss``; 0 trains without a critic.
        critic_lr: the critic's learning rate (constant).
        features: the perceptual loss's feature net, a key of :data:`FEATURES`.
        pixel_weight: weight of an L1 term added to the perceptual loss.
        init: a zoo card whose weights the generator starts from, as SRGAN starts
            from the pixel-loss SRResNet (Ledig et al. 2017, Sec. 3.2); ``None``
            trains from scratch.

    Returns:
        ``{"train_loss", "train_psnr", "critic_loss", "critic_acc", "seconds"}``, one
        value per epoch (the critic's only with a critic; ``critic_acc`` is how often
        it tells real from generated on the batch it is about to train on).
    """
    fn = "train_srgan"
    check_choice("content", content, CONTENT_LOSSES, fn=fn)
    check_choice("features", features, tuple(FEATURES), fn=fn)
    check_range("adversarial_weight", adversarial_weight, low=0.0, fn=fn)
    check_range("critic_lr", critic_lr, low=0.0, fn=fn)
    check_range("pixel_weight", pixel_weight, low=0.0, fn=fn)
    if init is not None:
        from scratchvision import zoo  # a recipe may start from another card

        model.load_state_dict(zoo.load(init).state_dict())
    run = fit_arguments(  # seeds first: the same patches as train_restorer(seed=seed)
        model,
        degrade=degrade,
        degrade_kwargs=degrade_kwargs,
        steps=steps,
        epochs=epochs,
        batch_size=batch_size,
        patch_size=patch_size,
        lr=lr,
        seed=seed,
        fn=fn,
    )
    critic = critic_optimizer = None
    if adversarial_weight > 0:
        critic = PatchGAN(in_channels=model.channels, width=32, n_layers=2)
        critic_optimizer = torch.optim.Adam(
            critic.parameters(), lr=critic_lr, betas=(0.5, 0.999)
        )
    content_fn = functools.partial(
        content_loss,
        content=content,
        features=FEATURES[features]() if content == "perceptual" else None,
        pixel_weight=pixel_weight,
    )
    step = functools.partial(
        srgan_step,
        critic=critic,
        critic_optimizer=critic_optimizer,
        content=content_fn,
        adversarial_weight=adversarial_weight,
    )
    history = fit(model, **run, step=step)
    log = curves(history, ("train_loss", "train_psnr", "seconds"))
    if critic is not None:
        critic_log = curves(history, ("train_critic_loss", "train_critic_acc"))
        log["critic_loss"] = critic_log["train_critic_loss"]
        log["critic_acc"] = critic_log["train_critic_acc"]
    return log


def srgan_step(
    model: nn.Module,
    batch: tuple[torch.Tensor, torch.Tensor],
    *,
    critic: nn.Module | None,
    critic_optimizer: torch.optim.Optimizer | None,
    content: str | Callable = "l1",
    adversarial_weight: float = 0.01,
) -> dict[str, torch.Tensor | float]:
    """One critic step, if any, then the generator's loss (Ledig et al. 2017, Sec. 2.1).

    A step function for ``train.fit``: the critic is trained here with its own
    optimiser; the generator's loss is returned, and ``fit`` takes the generator's
    optimiser step on it. Both see images scaled to [-1, 1].

    Args:
        model: the generator, a super-resolver.
        batch: ``(low_res, high_res)``, Tensor[B, C, h, w] and Tensor[B, C, H, W].
        critic, critic_optimizer: the discriminator and its optimiser, or None.
        content: a :func:`content_loss` name, or the loss itself,
            ``content(outputs, targets) -> Tensor[]``.

    Returns:
        ``{"loss": generator loss, "psnr": ...}``, plus ``"critic_loss"`` and
        ``"critic_acc"`` (the fraction of real and generated patch scores on the right
        side of zero, before the critic's step) with a critic.
    """
    low_res, high_res = batch
    fake = model(low_res)  # (B, C, H, W)
    record = {}
    if critic is not None:
        real_logits = critic(2 * high_res - 1)  # (B, 1, h, w) patch scores
        fake_logits = critic(2 * fake.detach() - 1)
        critic_loss = gan_d_loss(real_logits, fake_logits)  # real -> 1, fake -> 0
        critic_optimizer.zero_grad(set_to_none=True)
        critic_loss.backward()
        critic_optimizer.step()
        record["critic_loss"] = critic_loss.item()
        record["critic_acc"] = (
            0.5 * ((real_logits > 0).float().mean() + (fake_logits < 0).float().mean())
        ).item()
    if callable(content):
        loss = content(fake, high_res)
    else:
        loss = content_loss(fake, high_res, content=content)
    if critic is not None:  # its gradients from this pass are cleared before its step
        loss = loss + adversarial_weight * gan_g_loss(critic(2 * fake - 1))
    with torch.no_grad():
        record["psnr"] = psnr(fake.clamp(0, 1), high_res).item()
    return {"loss": loss, **record}

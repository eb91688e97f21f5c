"""Restoration losses: pixel, feature, adversarial, multi-scale and smoothness terms.

Every loss is a pure function of its tensor arguments: no module, no buffer, no state.
Pixel losses compare images in [0, 1]; ``perceptual_loss`` compares them in the feature
space of a frozen network; the GAN losses turn discriminator logits into the
non-saturating objective of Goodfellow et al. 2014.

Taught in the chapter 5 notebooks (``notebooks/05_imaging/``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F

from scratchvision.imaging.unet import image_pyramid
from scratchvision.validate import check_tensor


def l1_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean absolute error ``(1 / N) sum_i |pred_i - target_i|`` over all N elements.

    Its gradient has the same size for every error, so it blurs less than L2 when the
    target is ambiguous (Zhao et al. 2017, "Loss functions for image restoration with
    neural networks").

    Args:
        pred, target (Tensor[B, C, H, W]): same shape (any shape is accepted).

    Returns:
        Tensor[]: a scalar.
    """
    _check_same_shape(pred, target, "l1_loss")
    return (pred - target).abs().mean()


def l2_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared error ``(1 / N) sum_i (pred_i - target_i)^2`` over all N elements.

    Minimising it gives the conditional mean of the target, which for an ambiguous input
    is a blurry average; ``PSNR = 10 log10(1 / MSE)`` for images in [0, 1].

    Args:
        pred, target (Tensor[B, C, H, W]): same shape (any shape is accepted).

    Returns:
        Tensor[]: a scalar.
    """
    _check_same_shape(pred, target, "l2_loss")
    return (pred - target).square().mean()


def perceptual_loss(
    pred: torch.Tensor,
    target: torch.Tensor,
    *,
    features: Callable[[torch.Tensor], Sequence[torch.Tensor]],
) -> torch.Tensor:
    """Feature-reconstruction loss: L2 between deep features of ``pred`` and ``target``.

    Johnson et al. 2016, "Perceptual losses for real-time style transfer and
    super-resolution", Eq. 2, summed over the layers ``j`` that ``features`` returns::

        sum_j  ||phi_j(pred) - phi_j(target)||_2^2 / (C_j H_j W_j)

    The target is a constant: its features are computed under ``torch.no_grad()``. (The
    metric ``metrics.perceptual_distance`` differs: it unit-normalises the features
    first.)

    Args:
        pred, target (Tensor[B, C, H, W]): images, same shape.
        features: a frozen network in eval mode that maps a batch of images to a list of
            feature maps ``phi_j`` (Tensor[B, C_j, H_j, W_j]), e.g.
            ``metrics.vgg16_features()``, or ``metrics.random_features`` offline.

    Returns:
        Tensor[]: a scalar.
    """
    fn = "perceptual_loss"
    _check_perceptual(pred, target, features)
    with torch.no_grad():
        target_features = list(features(target))
    pred_features = list(features(pred))
    if not pred_features:
        raise ValueError(
            f"{fn}: features must return a non-empty list of feature maps, got an "
            "empty one"
        )
    per_layer = [
        l2_loss(p, t) for p, t in zip(pred_features, target_features, strict=True)
    ]
    return torch.stack(per_layer).sum()


def gan_d_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """Discriminator loss: binary cross-entropy with "real" = 1 and "fake" = 0.

    Goodfellow et al. 2014, Eq. 1, D's side: maximise ``log D(x) + log(1 - D(G(z)))``.
    With ``D = sigmoid(l)`` and the identities ``-log sigmoid(l) = softplus(-l)``,
    ``-log(1 - sigmoid(l)) = softplus(l)``, the loss to minimise is::

        mean(softplus(-real_logits)) + mean(softplus(fake_logits))

    ``softplus`` never takes the log of a sigmoid that has rounded to 0 or 1, so it
    stays finite for any logit. (pix2pix halves this sum; the factor only rescales D's
    step.)

    Args:
        real_logits (Tensor[B, ...]): D's logits on real images (e.g. a PatchGAN map).
        fake_logits (Tensor[B, ...]): D's logits on generated images
            (detach them from G).

    Returns:
        Tensor[]: a scalar.
    """
    _check_logits("gan_d_loss", real_logits=real_logits, fake_logits=fake_logits)
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def gan_g_loss(fake_logits: torch.Tensor, *, saturating: bool = False) -> torch.Tensor:
    """Generator loss, non-saturating by default (Goodfellow et al. 2014, Sec. 3).

    The minimax game has G minimise ``log(1 - D(G(z))) = -softplus(l)``
    (``saturating=True``). Early in training D rejects fakes confidently (``l << 0``)
    and that function is flat there: its gradient ``-sigmoid(l)`` vanishes.
    Goodfellow et al. instead let G maximise ``log D(G(z))``, i.e. minimise::

        mean(softplus(-fake_logits))       # gradient -sigmoid(-l) -> -1 when l << 0

    which has the same fixed point and strong gradients exactly when G is losing.

    Args:
        fake_logits (Tensor[B, ...]): D's logits on generated images (not detached).
        saturating: use the original minimax loss, to show why it is not used.

    Returns:
        Tensor[]: a scalar.
    """
    _check_logits("gan_g_loss", fake_logits=fake_logits)
    if saturating:
        return -F.softplus(fake_logits).mean()
    return F.softplus(-fake_logits).mean()


def multiscale_loss(
    preds: Sequence[torch.Tensor],
    target: torch.Tensor,
    *,
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = l1_loss,
) -> torch.Tensor:
    """Average of ``loss`` over the scales of a coarse-to-fine prediction.

    The multi-scale content loss of Nah et al. 2017 (there with L2 and a Gaussian
    pyramid)::

        (1 / K) sum_k loss(pred_k, S_k)

    where the targets ``S_k`` are ``target`` downsampled by ``unet.image_pyramid``,
    exactly as the ``MultiScaleUNet`` inputs are.

    Args:
        preds: K Tensor[B, C, H // 2^k, W // 2^k], coarsest first (``MultiScaleUNet``
            output).
        target (Tensor[B, C, H, W]): the full-resolution target.
        loss: a pixel loss such as ``l1_loss`` or ``l2_loss``.

    Returns:
        Tensor[]: a scalar.
    """
    targets = _check_multiscale(preds, target, loss)
    return torch.stack([loss(p, t) for p, t in zip(preds, targets)]).mean()


def total_variation(image: torch.Tensor) -> torch.Tensor:
    """Anisotropic total variation: mean absolute difference of neighbouring pixels.

    ``TV(x) = mean |x[i+1, j] - x[i, j]| + mean |x[i, j+1] - x[i, j]|``, the smoothness
    prior of Rudin, Osher & Fatemi 1992 (anisotropic form); small for piecewise-constant
    images, large for noise. Used as a regulariser:
    ``loss + weight * total_variation(pred)``.

    Args:
        image (Tensor[B, C, H, W]): with H, W >= 2.

    Returns:
        Tensor[]: a scalar.
    """
    _check_tv(image)
    down = image[..., 1:, :] - image[..., :-1, :]  # (B, C, H-1, W)
    right = image[..., :, 1:] - image[..., :, :-1]  # (B, C, H, W-1)
    return down.abs().mean() + right.abs().mean()


def _check_same_shape(pred, target, fn: str) -> None:
    for name, value in (("pred", pred), ("target", target)):
        check_tensor(name, value, floating=True, finite=True, nonempty=True, fn=fn)
    if pred.shape != target.shape:
        raise ValueError(
            f"{fn}: target must have the shape of pred {tuple(pred.shape)}, got "
            f"{tuple(target.shape)}"
        )


def _check_perceptual(pred, target, features) -> None:
    _check_same_shape(pred, target, "perceptual_loss")
    if not callable(features):
        raise ValueError(
            "perceptual_loss: features must be a feature network (a callable), got "
            f"{type(features).__name__}"
        )


def _check_logits(fn: str, **logits: torch.Tensor) -> None:
    for name, value in logits.items():
        check_tensor(name, value, floating=True, finite=True, nonempty=True, fn=fn)


def _check_multiscale(preds, target, loss) -> list[torch.Tensor]:
    """Check the predictions against the target's pyramid; return the pyramid."""
    fn = "multiscale_loss"
    if not isinstance(preds, (list, tuple)) or not preds:
        raise ValueError(
            f"{fn}: preds must be a non-empty list of tensors, coarsest first, got "
            f"{preds!r}"
        )
    check_tensor(
        "target",
        target,
        ndim=4,
        dims="(B, C, H, W)",
        floating=True,
        finite=True,
        nonempty=True,
        fn=fn,
    )
    if not callable(loss):
        raise ValueError(f"{fn}: loss must be a pixel loss function, got {loss!r}")
    targets = image_pyramid(target, n_scales=len(preds))
    for k, (p, t) in enumerate(zip(preds, targets)):
        check_tensor(f"preds[{k}]", p, ndim=4, dims="(B, C, H, W)", fn=fn)
        if p.shape != t.shape:
            raise ValueError(
                f"{fn}: preds[{k}] must have shape {tuple(t.shape)} (target "
                f"downsampled by {2 ** (len(preds) - 1 - k)}), got {tuple(p.shape)}"
            )
    return targets


def _check_tv(image) -> None:
    fn = "total_variation"
    check_tensor(
        "image",
        image,
        ndim=4,
        dims="(B, C, H, W)",
        floating=True,
        finite=True,
        nonempty=True,
        fn=fn,
    )
    if min(image.shape[-2:]) < 2:
        raise ValueError(
            f"{fn}: image height and width must be >= 2, got shape {tuple(image.shape)}"
        )

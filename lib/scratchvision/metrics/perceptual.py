"""Perceptual metrics: distances and statistics that follow what people see.

``perceptual_distance`` is full-reference, like PSNR, but compares deep features instead
of pixels (LPIPS, Zhang et al. 2018); ``detail_ratio`` is a crude no-reference
statistic (does the output have as much fine detail as real images?), the *perceptual
quality* axis of Blau & Michaeli 2018's perception-distortion trade-off.

Taught in ``notebooks/05_imaging/04_losses.ipynb``.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from scratchvision.imaging.blur import blur, gaussian_kernel
from scratchvision.metrics._images import check_image_pair, reduce_images
from scratchvision.metrics.features import random_features
from scratchvision.validate import check_range

Features = Callable[[torch.Tensor], list[torch.Tensor]]


def perceptual_distance(
    pred: torch.Tensor,
    target: torch.Tensor,
    *,
    features: Features | None = None,
    reduction: str = "mean",
) -> torch.Tensor:
    """LPIPS-style distance: mean squared difference of channel-normalised CNN features.

    ``d(x, y) = Σ_l mean_{h,w} ‖ŷ_l - x̂_l‖²`` with ``x̂_l`` the layer-``l`` features
    unit-normalised over channels at every pixel (Zhang et al. 2018, "The unreasonable
    effectiveness of deep features as a perceptual metric", Eq. 1, with all channel
    weights ``w_l = 1``). Symmetric, zero for identical images.

    Args:
        pred, target (Tensor[B, C, H, W] or Tensor[C, H, W]): images in [0, 1].
        features: maps Tensor[B, C, H, W] to a list of feature maps; it must treat the
            images of a batch independently (e.g. a trained encoder in eval mode, or
            ``vgg16_features()``). Default ``random_features``: offline, no weights to
            download.
        reduction: ``'mean'`` -> Tensor[] or ``'none'`` -> Tensor[B].
    """
    x, y = _check_perceptual(pred, target, features, reduction)
    features = random_features if features is None else features
    feats = features(torch.cat([x, y]))  # one pass: L x (2B, C_l, H_l, W_l)
    dist = torch.zeros(x.shape[0], device=x.device, dtype=x.dtype)  # (B,)
    for f in feats:
        fx, fy = F.normalize(f, dim=1, eps=1e-10).chunk(2)  # 2 x (B, C_l, H_l, W_l)
        dist = dist + ((fx - fy) ** 2).sum(dim=1).mean(dim=(1, 2))  # (B,)
    return reduce_images(dist, reduction, pred.ndim)


def detail_ratio(
    pred: torch.Tensor,
    target: torch.Tensor,
    *,
    sigma: float = 1.0,
    reduction: str = "mean",
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
        pred, target (Tensor[B, C, H, W] or Tensor[C, H, W]): images in [0, 1],
            H, W >= 3.
        sigma: the Gaussian blur's standard deviation in pixels (5x5 kernel).
        reduction: ``'mean'``: Tensor[], the ratio of the batches' mean detail;
            ``'none'``: Tensor[B], each image's ratio to its own target (what an
            interval over test crops needs).
    """
    x, y = _check_detail(pred, target, sigma, reduction)  # (B, C, H, W) each
    kernel = gaussian_kernel(5, sigma)  # (5, 5)
    detail_pred, detail_target = (
        (z - blur(z, kernel)).abs().mean(dim=(1, 2, 3)) for z in (x, y)
    )  # (B,) each
    if reduction == "none":
        return detail_pred / detail_target  # (B,)
    return detail_pred.mean() / detail_target.mean()


def _check_perceptual(pred, target, features, reduction):
    fn = "perceptual_distance"
    x, y = check_image_pair(fn, pred, target, reduction=reduction)
    if features is not None and not callable(features):
        raise ValueError(
            f"{fn}: features must be a feature network (a callable) or None, got "
            f"{type(features).__name__}"
        )
    return x, y


def _check_detail(pred, target, sigma, reduction) -> tuple[torch.Tensor, torch.Tensor]:
    fn = "detail_ratio"
    x, y = check_image_pair(fn, pred, target, reduction=reduction)
    check_range("sigma", sigma, low=1e-6, fn=fn)
    if min(x.shape[-2:]) < 3:
        raise ValueError(
            f"{fn}: pred height and width must be >= 3, got shape {tuple(pred.shape)}"
        )
    return x, y

"""Fidelity metrics: how close a restored image is to its target, pixel by pixel.

``psnr`` scores the mean squared error on a log scale; ``ssim`` compares local means,
contrasts and correlations, which follows what people see more closely (Wang et al.
2004). Both reproduce ``skimage.metrics`` (checked by oracle tests) and are
differentiable torch functions on batches, so they can serve as losses too.

Taught in ``notebooks/05_imaging/`` (how restoration is measured).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from scratchvision.imaging.blur import gaussian_kernel
from scratchvision.metrics._images import check_image_pair, reduce_images


def psnr(
    pred: torch.Tensor,
    target: torch.Tensor,
    *,
    data_range: float = 1.0,
    reduction: str = "mean",
) -> torch.Tensor:
    """Peak signal-to-noise ratio, ``10 log10(R² / MSE)`` in dB, per image.

    Same as ``skimage.metrics.peak_signal_noise_ratio(target, pred, data_range=R)`` on
    each image; ``reduction='mean'`` averages the per-image values, as papers report
    them. Identical images give ``inf``.

    Args:
        pred, target (Tensor[B, C, H, W] or Tensor[C, H, W]): images of the same shape.
        data_range: ``R``, the peak value (1 for images in [0, 1]).
        reduction: ``'mean'`` -> Tensor[] or ``'none'`` -> Tensor[B].
    """
    x, y = check_image_pair(
        "psnr", pred, target, data_range=data_range, reduction=reduction
    )
    mse = ((x - y) ** 2).mean(dim=(1, 2, 3))  # (B,)
    return reduce_images(10 * torch.log10(data_range**2 / mse), reduction, pred.ndim)


def ssim(
    pred: torch.Tensor,
    target: torch.Tensor,
    *,
    data_range: float = 1.0,
    gaussian_weights: bool = True,
    reduction: str = "mean",
) -> torch.Tensor:
    """Structural similarity, the mean of the SSIM map (Wang et al. 2004, Eq. 13).

    ``SSIM = (2 μx μy + C1)(2 σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2))``, with
    local statistics under a window, ``C1 = (0.01 R)²``, ``C2 = (0.03 R)²``, averaged
    over channels and over the positions where the window fits inside the image. It
    equals, per image ``[C, H, W]``:

    * ``gaussian_weights=True``: ``structural_similarity(target, pred, data_range=R,
      channel_axis=0, gaussian_weights=True, sigma=1.5, use_sample_covariance=False)``:
      an 11x11 Gaussian window, σ = 1.5, as in the paper;
    * ``gaussian_weights=False``: skimage's default call: a 7x7 uniform window with the
      sample covariance (a factor N / (N - 1), N = 49).

    Args:
        pred, target (Tensor[B, C, H, W] or Tensor[C, H, W]): images, H and W at least
            the window size.
        data_range: ``R``, the peak value.
        reduction: ``'mean'`` -> Tensor[] or ``'none'`` -> Tensor[B].
    """
    x, y = _check_ssim(pred, target, data_range, reduction, gaussian_weights)
    if gaussian_weights:
        win = gaussian_kernel(11, 1.5, dtype=x.dtype)  # (11, 11)
    else:
        win = torch.full((7, 7), 1 / 49, dtype=x.dtype)  # (7, 7)
    k, c = win.shape[0], x.shape[1]
    cov_norm = 1.0 if gaussian_weights else 49 / 48
    stats = torch.cat([x, y, x * x, y * y, x * y], dim=1)  # (B, 5C, H, W)
    weight = win.to(x)[None, None].expand(5 * c, 1, k, k).contiguous()  # (5C, 1, k, k)
    # a 'valid' convolution is skimage's filter-then-crop: only windows inside count
    mu_x, mu_y, xx, yy, xy = F.conv2d(stats, weight, groups=5 * c).chunk(
        5, dim=1
    )  # 5 x (B, C, H', W')
    var_x, var_y = cov_norm * (xx - mu_x**2), cov_norm * (yy - mu_y**2)
    cov_xy = cov_norm * (xy - mu_x * mu_y)
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    ssim_map = ((2 * mu_x * mu_y + c1) * (2 * cov_xy + c2)) / (
        (mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2)
    )
    return reduce_images(ssim_map.mean(dim=(1, 2, 3)), reduction, pred.ndim)


def _check_ssim(pred, target, data_range, reduction, gaussian_weights):
    x, y = check_image_pair(
        "ssim", pred, target, data_range=data_range, reduction=reduction
    )
    k = 11 if gaussian_weights else 7
    if min(x.shape[-2:]) < k:
        raise ValueError(
            f"ssim: pred must be at least {k}x{k}, got {tuple(x.shape[-2:])}"
        )
    return x, y

"""Image-quality metrics: PSNR, SSIM and a feature-space (LPIPS-like) distance.

All are differentiable torch functions on batches, so they serve as losses too. ``psnr``
and ``ssim`` reproduce ``skimage.metrics`` (checked by oracle tests);
``perceptual_distance`` compares images in the feature space of a CNN, as LPIPS does.

Taught in ``notebooks/05_imaging/`` (how restoration is measured).
"""

from __future__ import annotations

import math
import timeit
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from scratchvision.imaging.blur import IMAGE_DIMS, gaussian_kernel
from scratchvision.validate import check_choice, check_range, check_tensor

Features = Callable[[torch.Tensor], list[torch.Tensor]]


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
    x, y = _check_pair("psnr", pred, target, data_range, reduction)
    mse = ((x - y) ** 2).mean(dim=(1, 2, 3))  # (B,)
    return _reduce(10 * torch.log10(data_range**2 / mse), reduction, pred.ndim)


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
    x, y = _check_pair("ssim", pred, target, data_range, reduction)
    if gaussian_weights:
        win = gaussian_kernel(11, 1.5, dtype=x.dtype)  # (11, 11)
    else:
        win = torch.full((7, 7), 1 / 49, dtype=x.dtype)  # (7, 7)
    k, c = win.shape[0], x.shape[1]
    if min(x.shape[-2:]) < k:
        raise ValueError(
            f"ssim: pred must be at least {k}x{k}, got {tuple(x.shape[-2:])}"
        )
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
    return _reduce(ssim_map.mean(dim=(1, 2, 3)), reduction, pred.ndim)


def random_features(
    img: torch.Tensor, *, widths: tuple[int, ...] = (16, 32, 64), seed: int = 0
) -> list[torch.Tensor]:
    """Multi-scale features of a fixed random CNN: the default, offline feature space.

    Stage ``s`` is two 3x3 conv + ReLU layers of ``widths[s]`` channels (He-normal
    weights drawn from ``seed``, the same on every call), after a 2x average pool for
    ``s > 0``. Untrained convolutions already respond to edges and textures at several
    scales (the structure of a CNN is itself an image prior: Ulyanov et al. 2018, "Deep
    image prior"). Zhang et al. 2018 (Fig. 1) keep random networks as a baseline:
    trained features agree with human judgments clearly better, so pass those as
    ``features=`` when they are available.

    Args:
        img (Tensor[B, C, H, W]): images in [0, 1].

    Returns:
        one Tensor[B, widths[s], H / 2^s, W / 2^s] per stage.
    """
    g = torch.Generator().manual_seed(seed)
    x, c, feats = 2 * img - 1, img.shape[1], []
    for s, width in enumerate(widths):
        if s > 0:
            x = F.avg_pool2d(x, 2)  # (B, c, H / 2^s, W / 2^s)
        for _ in range(2):
            w = torch.randn(width, c, 3, 3, generator=g) * math.sqrt(
                2 / (9 * c)
            )  # (width, c, 3, 3)
            x, c = (
                F.relu(F.conv2d(x, w.to(x), padding=1)),
                width,
            )  # (B, width, H / 2^s, W / 2^s)
        feats.append(x)
    return feats


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
    x, y = _check_pair("perceptual_distance", pred, target, 1.0, reduction)
    features = random_features if features is None else features
    feats = features(torch.cat([x, y]))  # one pass: L x (2B, C_l, H_l, W_l)
    dist = torch.zeros(x.shape[0], device=x.device, dtype=x.dtype)  # (B,)
    for f in feats:
        fx, fy = F.normalize(f, dim=1, eps=1e-10).chunk(2)  # 2 x (B, C_l, H_l, W_l)
        dist = dist + ((fx - fy) ** 2).sum(dim=1).mean(dim=(1, 2))  # (B,)
    return _reduce(dist, reduction, pred.ndim)


VGG16_CONFIG = (
    64,
    64,
    "M",
    128,
    128,
    "M",
    256,
    256,
    256,
    "M",
    512,
    512,
    512,
    "M",
    512,
    512,
    512,
)
VGG16_TAPS = (
    3,
    8,
    15,
    22,
    29,
)  # relu1_2, relu2_2, relu3_3, relu4_3, relu5_3: the LPIPS layers
VGG16_URLS = {
    "IMAGENET1K_V1": "https://download.pytorch.org/models/vgg16-397923af.pth"
}  # torchvision's


class VGG16Features(nn.Module):
    """VGG16's convolutions (Simonyan & Zisserman 2015) returning the five LPIPS layers.

    Input: Tensor[B, 3, H, W] in [0, 1], ImageNet-normalised inside. Output: five
    feature maps, Tensor[B, 64, H, W] ... Tensor[B, 512, H / 16, W / 16].
    """

    def __init__(self):
        super().__init__()
        layers, c = [], 3
        for v in VGG16_CONFIG:
            layers += (
                [nn.MaxPool2d(2)]
                if v == "M"
                else [nn.Conv2d(c, v, 3, padding=1), nn.ReLU()]
            )
            c = c if v == "M" else v
        self.layers = nn.Sequential(
            *layers
        )  # indices match torchvision's vgg16().features
        self.register_buffer("mean", torch.tensor([0.485, 0.456, 0.406])[:, None, None])
        self.register_buffer("std", torch.tensor([0.229, 0.224, 0.225])[:, None, None])

    def forward(self, img: torch.Tensor) -> list[torch.Tensor]:
        x, out = (img - self.mean) / self.std, []
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i in VGG16_TAPS:
                out.append(x)  # (B, C_l, H / 2^l, W / 2^l)
        return out


def vgg16_features(
    weights: str | None = "IMAGENET1K_V1", *, download: bool = False
) -> VGG16Features:
    """The opt-in, online ImageNet features for ``perceptual_distance(features=...)``.

    ``weights='IMAGENET1K_V1'`` loads torchvision's VGG16 weights from the torch hub
    cache (``$TORCH_HOME/hub/checkpoints``); nothing is downloaded unless
    ``download=True``. ``weights=None`` gives random weights (offline, for tests).

    Returns:
        a frozen ``VGG16Features`` in eval mode; move it with ``.to(device)`` like any
        model.

    Raises:
        FileNotFoundError: the weights are not cached and ``download`` is False.
    """
    check_choice("weights", weights, [*VGG16_URLS, None], fn="vgg16_features")
    model = VGG16Features()
    if weights is not None:
        url = VGG16_URLS[weights]
        cached = Path(torch.hub.get_dir()) / "checkpoints" / Path(url).name
        if not cached.exists() and not download:
            raise FileNotFoundError(
                f"vgg16_features: {weights} weights are not cached at {cached}; pass "
                "download=True (needs internet) or put the file there, or use "
                "perceptual_distance's offline default"
            )
        # check_hash: the file name ends in the first digits of its SHA-256
        state = torch.hub.load_state_dict_from_url(
            url, progress=download, map_location="cpu", check_hash=True
        )
        conv = {
            k.removeprefix("features."): v
            for k, v in state.items()
            if k.startswith("features.")
        }
        model.layers.load_state_dict(conv)
    return model.eval().requires_grad_(False)


def metrics_benchmark(*, size: int = 256, repeats: int = 5) -> list[dict]:
    """Time ``psnr`` and ``ssim`` against ``skimage.metrics`` on a noisy astronaut crop.

    Returns:
        one row per metric: ``{'metric', 'ours_ms', 'skimage_ms', 'ratio'}`` (best of
        ``repeats``, ``ratio`` = ours / skimage; below 1 means ours is faster).
    """
    from skimage import data, metrics

    clean = data.astronaut()[:size, :size] / 255.0  # (H, W, 3), float64
    noisy = np.clip(clean + np.random.default_rng(0).normal(0, 0.1, clean.shape), 0, 1)
    x, y = (
        torch.from_numpy(a).permute(2, 0, 1).float() for a in (noisy, clean)
    )  # (3, H, W) each
    paper = dict(
        data_range=1,
        channel_axis=2,
        gaussian_weights=True,
        sigma=1.5,
        use_sample_covariance=False,
    )
    pairs = {
        "psnr": (
            lambda: psnr(x, y),
            lambda: metrics.peak_signal_noise_ratio(clean, noisy, data_range=1),
        ),
        "ssim": (
            lambda: ssim(x, y),
            lambda: metrics.structural_similarity(clean, noisy, **paper),
        ),
    }
    rows = []
    for name, (ours, theirs) in pairs.items():
        ours_ms, theirs_ms = (
            1000 * min(timeit.repeat(f, number=1, repeat=repeats))
            for f in (ours, theirs)
        )
        rows.append(
            {
                "metric": name,
                "ours_ms": ours_ms,
                "skimage_ms": theirs_ms,
                "ratio": ours_ms / theirs_ms,
            }
        )
    return rows


def _check_pair(
    fn, pred, target, data_range, reduction
) -> tuple[torch.Tensor, torch.Tensor]:
    check_tensor("pred", pred, ndim=(3, 4), dims=IMAGE_DIMS, floating=True, fn=fn)
    check_tensor("target", target, ndim=(3, 4), dims=IMAGE_DIMS, floating=True, fn=fn)
    if pred.shape != target.shape:
        raise ValueError(
            f"{fn}: pred and target must have the same shape, got {tuple(pred.shape)} "
            f"and {tuple(target.shape)}"
        )
    check_range("data_range", data_range, low=1e-12, fn=fn)
    check_choice("reduction", reduction, ("mean", "none"), fn=fn)
    return (pred, target) if pred.ndim == 4 else (pred[None], target[None])


def _reduce(per_image: torch.Tensor, reduction: str, ndim: int) -> torch.Tensor:
    if ndim == 3:
        return per_image[0]  # a single image: its value, whatever the reduction
    return per_image.mean() if reduction == "mean" else per_image

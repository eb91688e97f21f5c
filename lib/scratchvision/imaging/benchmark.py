"""Quality and speed side by side: restoration methods on the same pairs, and metrics.

``benchmark_methods`` scores and times any restoration methods on one set of pairs;
``denoise_benchmark`` pits the zoo's denoiser against BM3D; ``metrics_benchmark`` times
our PSNR and SSIM against ``skimage.metrics``. All times come from ``measure.timed``.
``make bench`` (``tools/bench.py``) prints them.

Notebooks: ``notebooks/05_imaging/01_denoising.ipynb``, ``03_deblurring.ipynb``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import torch

from scratchvision.imaging.heldout import crop_scores, heldout_pairs, restore
from scratchvision.imaging.pairs import noise_pair
from scratchvision.measure import mean_interval, timed
from scratchvision.metrics import psnr, ssim


def benchmark_methods(
    methods: Mapping[str, Callable[[torch.Tensor], torch.Tensor]],
    inputs: torch.Tensor,
    targets: torch.Tensor,
) -> list[dict]:
    """Score and time restoration methods on the same pairs: one row per method.

    Returns:
        ``{"method", "psnr", "psnr_half", "ssim", "ssim_half", "seconds",
        "s_per_mpix", "per_crop"}`` rows: the means over the pairs and the half-widths
        of their 95 % intervals (``measure.mean_interval``), the run time, the run time
        per million output pixels, and ``per_crop``, ``heldout.crop_scores`` of the
        method (Tensor[B] per score), for paired comparisons
        (``measure.paired_interval``).
    """
    megapixels = targets.shape[0] * targets.shape[-2] * targets.shape[-1] / 1e6
    rows = []
    for name, method in methods.items():
        run = timed(functools.partial(method, inputs))
        per_crop, seconds = crop_scores(run.result, targets), run.seconds[0]
        (psnr_mean, psnr_half), (ssim_mean, ssim_half) = (
            _interval(per_crop[key]) for key in ("psnr", "ssim")
        )
        rows.append(
            {
                "method": name,
                "psnr": psnr_mean,
                "psnr_half": psnr_half,
                "ssim": ssim_mean,
                "ssim_half": ssim_half,
                "seconds": seconds,
                "s_per_mpix": seconds / megapixels,
                "per_crop": per_crop,
            }
        )
    return rows


def _interval(values: torch.Tensor) -> tuple[float, float]:
    """``mean_interval``, or (mean, inf) when a score is infinite (a perfect output)."""
    if len(values) > 1 and bool(torch.isfinite(values).all()):
        return mean_interval(values)
    return values.mean().item(), float("inf")


def denoise_benchmark(
    *,
    sigmas: Sequence[float] = (15, 25, 50),
    n_crops: int = 8,
    size: int = 128,
    seed: int = 0,
) -> list[dict]:
    """The zoo's ``denoise-unet`` against BM3D on held-out crops: quality and speed.

    BM3D is called once per crop and pays a start-up cost every time, so larger crops
    give a fairer time per megapixel.

    Returns:
        one ``benchmark_methods`` row per (sigma, method), with ``"sigma"`` added.
    """
    from scratchvision import zoo
    from scratchvision.imaging.classical import bm3d_denoise

    model, rows = zoo.load("denoise-unet"), []
    for sigma in sigmas:
        noisy, clean = heldout_pairs(
            noise_pair,
            degrade_kwargs={"sigma": sigma},
            n_crops=n_crops,
            size=size,
            gray=True,
            seed=seed,
        )
        methods = {
            "U-Net (denoise-unet)": lambda x: restore(model, x),
            "BM3D": functools.partial(bm3d_denoise, sigma=sigma),
        }
        rows += [
            {"sigma": sigma, **row} for row in benchmark_methods(methods, noisy, clean)
        ]
    return rows


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
            1000 * timed(f, repeats=repeats).best for f in (ours, theirs)
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

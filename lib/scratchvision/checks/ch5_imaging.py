"""Checkers of chapter 5, computational imaging, one section per lesson.

5.1 ``noise_sigma``; 5.2 ``pixel_shuffle``; 5.3 ``wiener_filter``, ``average_frames``;
5.4 ``perceptual_loss``, ``gan_d_loss`` (``notebooks/05_imaging/``).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from scratchvision.checks.core import Case, compare

# ---- 5.1 Denoising (notebooks/05_imaging/01_denoising.ipynb) ----


def _noise_sigma(noisy: torch.Tensor) -> float:
    """MAD noise estimate on the finest diagonal Haar band (Donoho & Johnstone 1994).

    Returns sigma on the 0-255 scale.
    """
    x = noisy[
        ..., : noisy.shape[-2] // 2 * 2, : noisy.shape[-1] // 2 * 2
    ]  # even H and W
    diagonal = (
        x[..., 0::2, 0::2]
        - x[..., 0::2, 1::2]
        - x[..., 1::2, 0::2]
        + x[..., 1::2, 1::2]
    ) / 2
    return float(diagonal.abs().median()) / 0.6745 * 255


def noise_sigma(fn: Callable) -> bool:
    """Check ``fn(noisy) -> sigma`` (0-255 scale) against the Haar MAD estimate.

    The test images are smooth.
    """
    g = torch.Generator().manual_seed(51)
    cases = []
    for shape, sigma in [
        ((1, 64, 64), 5),
        ((1, 64, 64), 25),
        ((3, 48, 40), 50),
        ((1, 33, 47), 15),
    ]:
        smooth = F.interpolate(
            torch.rand(1, shape[0], 6, 6, generator=g), size=shape[1:], mode="bilinear"
        )[0]
        cases.append(((smooth + sigma / 255 * torch.randn(shape, generator=g),), {}))
    return compare("noise_sigma", fn, _noise_sigma, cases, atol=1e-2, rtol=1e-3)


# ---- 5.2 Super-resolution (notebooks/05_imaging/02_super_resolution.ipynb) ----


def _pixel_shuffle_cases() -> list[Case]:
    g = torch.Generator().manual_seed(5)
    # (B, C, H, W, r): the output's C, H, W; r = 1 is the identity
    shapes = [
        (1, 1, 2, 2, 2),
        (2, 3, 4, 5, 2),
        (1, 3, 3, 3, 3),
        (2, 1, 2, 3, 4),
        (1, 2, 4, 4, 1),
    ]
    return [
        ((torch.randn(b, c * r * r, h, w, generator=g), r), {})
        for b, c, h, w, r in shapes
    ]


def pixel_shuffle(fn: Callable) -> bool:
    """Check ``fn(x, r)`` against ``F.pixel_shuffle``.

    (B, C r², H, W) -> (B, C, H r, W r).
    """
    return compare("pixel_shuffle", fn, F.pixel_shuffle, _pixel_shuffle_cases())


# ---- 5.3 Deblurring (notebooks/05_imaging/03_deblurring.ipynb) ----


def _wiener_filter(
    blurred: torch.Tensor, kernel: torch.Tensor, nsr: float
) -> torch.Tensor:
    """Wiener deconvolution of a circular blur (Gonzalez & Woods, Eq. 5.8-6).

    ``X = conj(K) Y / (|K|² + nsr)``.
    """
    height, width = blurred.shape[-2:]
    kh, kw = kernel.shape
    padded = blurred.new_zeros(height, width)
    padded[:kh, :kw] = kernel
    padded = torch.roll(
        padded, shifts=(-(kh // 2), -(kw // 2)), dims=(0, 1)
    )  # kernel centre at pixel (0, 0)
    K, Y = torch.fft.fft2(padded.double()), torch.fft.fft2(blurred.double())
    return torch.fft.ifft2(K.conj() * Y / (K.abs() ** 2 + nsr)).real.to(blurred.dtype)


def wiener_filter(fn: Callable) -> bool:
    """Check ``fn(blurred, kernel, nsr)`` against a Fourier-domain Wiener filter.

    ``blurred`` is (C, H, W), ``kernel`` (kh, kw).
    """
    from scratchvision.imaging.blur import gaussian_kernel, motion_kernel

    g = torch.Generator().manual_seed(53)
    options = [
        ((1, 32, 32), gaussian_kernel(5, 1.0), 1e-3),
        ((3, 40, 48), motion_kernel(7, 30), 1e-2),
        ((1, 33, 29), motion_kernel(9, 0), 1e-1),
    ]  # (shape, kernel, nsr)
    cases = [
        ((torch.rand(shape, generator=g), kernel, nsr), {})
        for shape, kernel, nsr in options
    ]
    return compare("wiener_filter", fn, _wiener_filter, cases, atol=1e-3, rtol=1e-3)


def average_frames(fn: Callable) -> bool:
    """Check ``fn(frames (T, C, H, W), gamma=...)`` against ``blur.average_frames``."""
    from scratchvision.imaging.blur import average_frames as reference

    g = torch.Generator().manual_seed(54)
    options = [(5, 1, None), (7, 3, 2.2), (1, 3, 2.2), (3, 1, 1.0)]  # (T, C, gamma)
    cases = [
        ((torch.rand(t, c, 8, 9, generator=g),), {"gamma": gamma})
        for t, c, gamma in options
    ]
    return compare("average_frames", fn, reference, cases)


# ---- 5.4 Loss functions (notebooks/05_imaging/04_losses.ipynb) ----


def _two_scale_features(img: torch.Tensor) -> list[torch.Tensor]:
    """A stand-in feature net: the image and its 2x average pool, both ReLU'd."""
    return [F.relu(img - 0.5), F.relu(F.avg_pool2d(img, 2) - 0.5)]


def perceptual_loss(fn: Callable) -> bool:
    """Check ``fn(pred, target, features=...)`` against ``losses.perceptual_loss``."""
    from scratchvision.imaging.losses import perceptual_loss as reference
    from scratchvision.imaging.metrics import random_features

    g = torch.Generator().manual_seed(6)
    cases = [
        (
            (torch.rand(b, 3, s, s, generator=g), torch.rand(b, 3, s, s, generator=g)),
            {"features": f},
        )
        for b, s in [(1, 8), (2, 16)]
        for f in (_two_scale_features, random_features)
    ]
    return compare("perceptual_loss", fn, reference, cases)


def gan_d_loss(fn: Callable) -> bool:
    """Check ``fn(real_logits, fake_logits)`` against ``losses.gan_d_loss``.

    The cases include extreme logits.
    """
    from scratchvision.imaging.losses import gan_d_loss as reference

    g = torch.Generator().manual_seed(7)
    cases = [
        (
            (
                torch.randn(4, 1, 3, 3, generator=g),
                torch.randn(4, 1, 3, 3, generator=g),
            ),
            {},
        ),
        (
            (torch.zeros(2, 1, 2, 2), torch.zeros(2, 1, 2, 2)),
            {},
        ),  # undecided D: 2 log 2
        (
            (torch.full((2, 1, 2, 2), 100.0), torch.full((2, 1, 2, 2), -100.0)),
            {},
        ),  # a perfect D: ~0
        ((torch.full((2, 1, 2, 2), -100.0), torch.full((2, 1, 2, 2), 100.0)), {}),
    ]  # fooled D: ~200
    return compare("gan_d_loss", fn, reference, cases)

"""Classical restoration baselines that chapter 5 compares every learned model with.

Denoising: a Gaussian low-pass (blurs edges with the noise), a median filter (keeps
edges, removes impulses) and BM3D (Dabov et al. 2007), the strongest non-learned
denoiser. Deblurring with a known PSF: Wiener deconvolution and Richardson-Lucy, through
``skimage.restoration``. Super-resolution: ``bicubic_upsample``, re-exported from
``degrade``.

All take and return float images in [0, 1], Tensor[B, C, H, W] or Tensor[C, H, W]. The
NumPy-based ones (BM3D, Wiener, Richardson-Lucy) run on the CPU, are not differentiable,
and return a tensor on ``img``'s device with ``img``'s dtype.

Taught in ``notebooks/05_imaging/``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

from scratchvision.imaging._checks import check_image
from scratchvision.imaging.blur import blur, check_kernel, gaussian_kernel
from scratchvision.imaging.degrade import bicubic_upsample
from scratchvision.validate import check_int, check_range

__all__ = [
    "gaussian_filter",
    "median_filter",
    "bm3d_denoise",
    "wiener_deconvolution",
    "richardson_lucy",
    "bicubic_upsample",
]


def gaussian_filter(img: torch.Tensor, sigma: float) -> torch.Tensor:
    """Gaussian low-pass: ``blur`` with a Gaussian of ``sigma`` pixels, truncated at 3σ.

    The classic linear low-pass: weights that fall off smoothly with distance and
    never ring; on real images it trades noise for blur.

    Args:
        img (Tensor[B, C, H, W] or Tensor[C, H, W]): noisy images.
        sigma: spatial standard deviation in pixels (not the noise level).

    Returns:
        Tensor like ``img``.
    """
    sigma = _check_gaussian_filter(img, sigma)
    return blur(img, gaussian_kernel(2 * math.ceil(3 * sigma) + 1, sigma))


def median_filter(img: torch.Tensor, size: int) -> torch.Tensor:
    """Median of each ``size x size`` neighbourhood, per channel (Tukey 1977).

    Non-linear: an isolated outlier never reaches the output, and a step edge is kept.
    The borders are reflect-padded, so this is the same as
    ``scipy.ndimage.median_filter(mode='mirror')`` on each channel.

    Args:
        img (Tensor[B, C, H, W] or Tensor[C, H, W]): noisy images.
        size: odd window side.

    Returns:
        Tensor like ``img``.
    """
    _check_median(img, size)
    r = size // 2
    x = img if img.ndim == 4 else img[None]  # (B, C, H, W)
    x = F.pad(x, (r, r, r, r), mode="reflect")  # (B, C, H + 2r, W + 2r)
    windows = x.unfold(2, size, 1).unfold(3, size, 1)  # (B, C, H, W, size, size)
    out = windows.flatten(-2).median(dim=-1).values  # (B, C, H, W)
    return out if img.ndim == 4 else out[0]


def bm3d_denoise(
    img: torch.Tensor, sigma: float, *, profile: str = "np"
) -> torch.Tensor:
    """BM3D: stack similar patches in 3-D and shrink them jointly (Dabov et al. 2007).

    Calls the reference implementation (``bm3d`` on PyPI, Tampere University; free for
    non-commercial use only). RGB images go through ``bm3d_rgb``, which denoises in an
    opponent colour space (the CBM3D variant); other channel counts are denoised one by
    one.

    Args:
        img (Tensor[B, C, H, W] or Tensor[C, H, W]): noisy images in [0, 1].
        sigma: noise standard deviation on the 0-255 scale (as in
            ``add_gaussian_noise``).
        profile: ``bm3d``'s parameter profile (``'np'`` normal, ``'refilter'``,
            ``'vn'``, ``'high'``).

    Returns:
        Tensor like ``img``, clamped to [0, 1].

    Raises:
        ImportError: ``bm3d`` is not installed (``pip install scratchvision[imaging]``).
    """
    fn = "bm3d_denoise"
    sigma = _check_bm3d(img, sigma)
    try:
        import bm3d
    except ImportError as err:
        raise ImportError(
            f"{fn} needs the 'bm3d' package: pip install scratchvision[imaging] (or "
            "pip install bm3d)"
        ) from err

    def denoise(im: np.ndarray) -> np.ndarray:  # (C, H, W) -> (C, H, W)
        if sigma == 0:
            return im
        if im.shape[0] == 3:
            return bm3d.bm3d_rgb(
                im.transpose(1, 2, 0), sigma / 255, profile=profile
            ).transpose(2, 0, 1)
        return np.stack([bm3d.bm3d(ch, sigma / 255, profile=profile) for ch in im])

    return _map_numpy(img, denoise).clamp(0, 1)


def wiener_deconvolution(
    img: torch.Tensor, kernel: torch.Tensor, balance: float
) -> torch.Tensor:
    """Wiener deconvolution with a known PSF, per channel (Wiener 1949).

    The textbook treatment is Gonzalez & Woods, Sec. 5.8.

    ``X̂ = K* Y / (|K|² + balance · |D|²)`` in the Fourier domain, ``D`` a Laplacian
    regulariser: ``balance`` trades noise and ringing (small) against residual blur
    (large). Wraps ``skimage.restoration.wiener``; see ``_deconvolve`` for the borders.

    Args:
        img (Tensor[B, C, H, W] or Tensor[C, H, W]): blurred (and noisy) images.
        kernel (Tensor[kh, kw]): the PSF, odd-sized, summing to 1.
        balance: regularisation weight, > 0.

    Returns:
        Tensor like ``img``, clamped to [0, 1].
    """
    from skimage import restoration

    balance = _check_wiener(img, kernel, balance)
    return _deconvolve(img, kernel, lambda y, psf: restoration.wiener(y, psf, balance))


def richardson_lucy(
    img: torch.Tensor, kernel: torch.Tensor, iterations: int
) -> torch.Tensor:
    """Richardson-Lucy deconvolution, per channel (Richardson 1972; Lucy 1974).

    The multiplicative update ``x ← x · (k̃ * (y / (k * x)))`` climbs the Poisson
    likelihood of ``y`` given ``x``; more iterations sharpen more and amplify more
    noise. Wraps ``skimage.restoration.richardson_lucy``; see ``_deconvolve`` for the
    borders.

    Args:
        img (Tensor[B, C, H, W] or Tensor[C, H, W]): blurred images in [0, 1].
        kernel (Tensor[kh, kw]): the PSF, odd-sized, summing to 1.
        iterations: number of updates, >= 1.

    Returns:
        Tensor like ``img``, clamped to [0, 1].
    """
    from skimage import restoration

    iterations = _check_lucy(img, kernel, iterations)
    return _deconvolve(
        img, kernel, lambda y, psf: restoration.richardson_lucy(y, psf, iterations)
    )


def _deconvolve(img: torch.Tensor, kernel: torch.Tensor, restore) -> torch.Tensor:
    """Run ``restore(channel, psf)`` per channel, padded by reflection and cropped back.

    Wiener assumes a periodic image, Richardson-Lucy a black surround: both are wrong at
    the border of a photo, and the error rings inwards. Padding with the mirror image
    (the boundary ``blur`` assumes) by one kernel width moves that error out of the
    crop.
    """
    psf = kernel.detach().cpu().double().numpy()  # (kh, kw)
    m = max(psf.shape)

    def per_image(im: np.ndarray) -> np.ndarray:  # (C, H, W) -> (C, H, W)
        return np.stack(
            [restore(np.pad(ch, m, mode="reflect"), psf)[m:-m, m:-m] for ch in im]
        )

    return _map_numpy(img, per_image).clamp(0, 1)  # skimage clips to [-1, 1] only


def _map_numpy(
    img: torch.Tensor, f: Callable[[np.ndarray], np.ndarray]
) -> torch.Tensor:
    """Apply a NumPy function to each image.

    The function maps float64 ``ndarray[C, H, W] -> ndarray[C, H, W]``.
    """
    x = img if img.ndim == 4 else img[None]  # (B, C, H, W)
    out = np.stack([f(im) for im in x.detach().cpu().double().numpy()])  # (B, C, H, W)
    out = torch.from_numpy(out).to(device=img.device, dtype=img.dtype)
    return out if img.ndim == 4 else out[0]


def _check_gaussian_filter(img, sigma) -> float:
    check_image(img, "gaussian_filter")
    return check_range("sigma", sigma, low=1e-6, fn="gaussian_filter")


def _check_median(img, size) -> None:
    fn = "median_filter"
    check_image(img, fn)
    check_int("size", size, min_value=1, fn=fn)
    if size % 2 == 0 or size // 2 >= min(img.shape[-2:]):
        raise ValueError(
            f"{fn}: size must be odd with size // 2 < the image's height and width, "
            f"got {size}"
        )


def _check_bm3d(img, sigma) -> float:
    check_image(img, "bm3d_denoise", nonempty=True)
    return check_range("sigma", sigma, low=0.0, fn="bm3d_denoise")


def _check_wiener(img, kernel, balance) -> float:
    fn = "wiener_deconvolution"
    check_image(img, fn, nonempty=True)
    check_kernel(kernel, fn)
    return check_range("balance", balance, low=1e-12, fn=fn)


def _check_lucy(img, kernel, iterations) -> int:
    fn = "richardson_lucy"
    check_image(img, fn, nonempty=True)
    check_kernel(kernel, fn)
    return check_int("iterations", iterations, min_value=1, fn=fn)

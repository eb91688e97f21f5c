"""Blur kernels, blurring, and GoPro-style motion blur: the average of sharp frames.

A blurred image is the sharp image convolved with a point-spread function (PSF),
``y = k * x`` (Gonzalez & Woods, "Digital Image Processing", Sec. 5.5). Two PSFs cover
most of chapter 5: a (possibly anisotropic) Gaussian for defocus and optics, and a line
segment for linear motion. Real camera shake is not one line: Nah et al. 2017 ("Deep
multi-scale CNN for dynamic scene deblurring", Eq. 1-2) film at 240 fps and average
consecutive sharp frames, taking the middle frame as the sharp target.
``imaging.motion`` does the same with one still image moved along a random smooth
trajectory (its functions are re-exported here, where they used to live).

Taught in ``notebooks/05_imaging/`` (deblurring).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from scratchvision.imaging._checks import check_image, check_odd
from scratchvision.validate import check_range, check_tensor


def gaussian_kernel(
    size: int,
    sigma: float | tuple[float, float],
    *,
    angle: float = 0.0,
    dtype: torch.dtype = torch.float32,
) -> torch.Tensor:
    """A normalised 2-D Gaussian PSF, isotropic or anisotropic and rotated.

    ``k(p) ∝ exp(-pᵀ Σ⁻¹ p / 2)`` with ``Σ = R(angle) diag(σx², σy²) R(angle)ᵀ``:
    the "generalized Gaussian" blur of Real-ESRGAN (Wang et al. 2021, Sec. 3.1) with
    shape 2.

    Args:
        size: odd side length of the kernel.
        sigma: standard deviation in pixels, or ``(sigma_x, sigma_y)`` along the rotated
            axes.
        angle: rotation of the ``x`` axis in degrees, counter-clockwise.
        dtype: of the result (float64 for oracle comparisons).

    Returns:
        Tensor[size, size], non-negative, summing to 1.
    """
    size, sx, sy, theta = _check_gaussian(size, sigma, angle, dtype)
    x, y = _centred_grid(size, dtype)  # (size, size) each, y pointing up
    u = x * math.cos(theta) + y * math.sin(theta)  # coordinates along the rotated axes
    v = -x * math.sin(theta) + y * math.cos(theta)
    k = torch.exp(-0.5 * ((u / sx) ** 2 + (v / sy) ** 2))  # (size, size)
    return k / k.sum()


def motion_kernel(
    length: float, angle: float, *, size: int | None = None
) -> torch.Tensor:
    """Linear motion blur: a line segment of ``length`` pixels at ``angle`` degrees.

    Each pixel gets the weight ``max(0, 1 - d)``, with ``d`` its distance to the segment
    centred on the kernel: a one-pixel wide, anti-aliased line. ``length=0`` is a delta.

    Args:
        length: how far the camera moved during the exposure, in pixels.
        angle: direction of the motion in degrees, counter-clockwise from the x axis.
        size: odd side of the kernel; default the smallest odd size that holds the
            segment.

    Returns:
        Tensor[size, size] (float32), non-negative, summing to 1.
    """
    fn = "motion_kernel"
    length = check_range("length", length, low=0.0, fn=fn)
    theta = math.radians(check_range("angle", angle, fn=fn))
    size = (
        2 * math.ceil(length / 2) + 1 if size is None else check_odd("size", size, fn)
    )
    x, y = _centred_grid(size, torch.float32)  # (size, size) each
    along = (x * math.cos(theta) + y * math.sin(theta)).clamp(-length / 2, length / 2)
    # distance from each pixel to its nearest point on the segment
    d = torch.hypot(
        x - along * math.cos(theta), y - along * math.sin(theta)
    )  # (size, size)
    k = (1 - d).clamp(min=0)
    return k / k.sum()


def blur(img: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """Convolve every channel with the same PSF, ``y = k * x``, with reflect padding.

    ``F.conv2d`` computes a cross-correlation, so the kernel is flipped to make this a
    true convolution (it matters for asymmetric kernels, e.g. a motion trajectory).
    Reflect padding (``d c b | a b c d``, SciPy's ``mode='mirror'``) keeps the output
    the input's size without dark borders.

    Args:
        img (Tensor[B, C, H, W] or Tensor[C, H, W]): the sharp images.
        kernel (Tensor[kh, kw]): odd-sized, non-negative, summing to 1.

    Returns:
        Tensor like ``img``.
    """
    _check_blur(img, kernel)
    x = img if img.ndim == 4 else img[None]  # (B, C, H, W)
    kh, kw = kernel.shape
    weight = (
        kernel.flip(0, 1).to(x)[None, None].expand(x.shape[1], 1, kh, kw).contiguous()
    )  # (C, 1, kh, kw)
    x = F.pad(
        x, (kw // 2, kw // 2, kh // 2, kh // 2), mode="reflect"
    )  # (B, C, H + kh - 1, W + kw - 1)
    out = F.conv2d(x, weight, groups=x.shape[1])  # (B, C, H, W)
    return out if img.ndim == 4 else out[0]


def check_kernel(kernel: torch.Tensor, fn: str) -> torch.Tensor:
    """Raise a ``ValueError`` unless ``kernel`` is a valid PSF.

    A valid PSF is 2-D, odd-sized and non-negative, and sums to 1.
    """
    check_tensor(
        "kernel", kernel, ndim=2, dims="(kh, kw)", floating=True, finite=True, fn=fn
    )
    if kernel.shape[0] % 2 == 0 or kernel.shape[1] % 2 == 0:
        raise ValueError(
            f"{fn}: kernel must have odd height and width, got shape "
            f"{tuple(kernel.shape)}"
        )
    if (kernel < 0).any() or not math.isclose(float(kernel.sum()), 1.0, abs_tol=1e-4):
        raise ValueError(
            f"{fn}: kernel must be non-negative and sum to 1, got sum "
            f"{float(kernel.sum()):.6g}"
        )
    return kernel


def _centred_grid(size: int, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
    r = torch.arange(size, dtype=dtype) - size // 2  # (size,)
    y, x = torch.meshgrid(
        -r, r, indexing="ij"
    )  # (size, size) each; row 0 is the top, y up
    return x, y


def _pair_of_numbers(name: str, value, fn: str) -> tuple[float, float]:
    if not (isinstance(value, (tuple, list)) and len(value) == 2):
        raise ValueError(
            f"{fn}: {name} must be a number or a pair of numbers, got {value!r}"
        )
    return value[0], value[1]


def _check_blur(img, kernel) -> None:
    check_image(img, "blur")
    check_kernel(kernel, "blur")
    kh, kw = kernel.shape
    if kh // 2 >= img.shape[-2] or kw // 2 >= img.shape[-1]:
        raise ValueError(
            f"blur: kernel {tuple(kernel.shape)} is too large for an image of "
            f"{tuple(img.shape[-2:])}"
        )


def _check_gaussian(size, sigma, angle, dtype) -> tuple[int, float, float, float]:
    fn = "gaussian_kernel"
    size = check_odd("size", size, fn)
    sx, sy = (
        (sigma, sigma)
        if isinstance(sigma, (int, float))
        else _pair_of_numbers("sigma", sigma, fn)
    )
    sx, sy = (check_range("sigma", s, low=1e-6, fn=fn) for s in (sx, sy))
    if not (isinstance(dtype, torch.dtype) and dtype.is_floating_point):
        raise ValueError(f"{fn}: dtype must be a floating-point dtype, got {dtype}")
    return size, sx, sy, math.radians(check_range("angle", angle, fn=fn))


# re-exported: the exercise checkers and older notebooks import them from here
from scratchvision.imaging.motion import (  # noqa: E402, F401
    average_frames,
    frames_from_motion,
    random_trajectory,
)

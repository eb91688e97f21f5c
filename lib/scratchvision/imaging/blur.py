"""Blur kernels, blurring, and GoPro-style motion blur: the average of sharp frames.

A blurred image is the sharp image convolved with a point-spread function (PSF),
``y = k * x`` (Gonzalez & Woods, "Digital Image Processing", Sec. 5.5). Two PSFs cover
most of chapter 5: a (possibly anisotropic) Gaussian for defocus and optics, and a line
segment for linear motion. Real camera shake is not one line: Nah et al. 2017 ("Deep
multi-scale CNN for dynamic scene deblurring", Eq. 1-2) film at 240 fps and average
consecutive sharp frames, taking the middle frame as the sharp target.
``frames_from_motion`` + ``average_frames`` do the same with one still image moved along
a random smooth trajectory.

Taught in ``notebooks/05_imaging/`` (deblurring).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from scratchvision.validate import check_int, check_range, check_tensor

IMAGE_DIMS = "(B, C, H, W) or (C, H, W)"


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
    fn = "gaussian_kernel"
    size = _check_odd("size", size, fn)
    sx, sy = (
        (sigma, sigma)
        if isinstance(sigma, (int, float))
        else _pair_of_numbers("sigma", sigma, fn)
    )
    sx, sy = (check_range("sigma", s, low=1e-6, fn=fn) for s in (sx, sy))
    x, y = _centred_grid(size, dtype)  # (size, size) each, y pointing up
    theta = math.radians(check_range("angle", angle, fn=fn))
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
        2 * math.ceil(length / 2) + 1 if size is None else _check_odd("size", size, fn)
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
    fn = "blur"
    check_tensor("img", img, ndim=(3, 4), dims=IMAGE_DIMS, floating=True, fn=fn)
    check_kernel(kernel, fn)
    x = img if img.ndim == 4 else img[None]  # (B, C, H, W)
    kh, kw = kernel.shape
    if kh // 2 >= x.shape[-2] or kw // 2 >= x.shape[-1]:
        raise ValueError(
            f"{fn}: kernel {tuple(kernel.shape)} is too large for an image of "
            f"{tuple(x.shape[-2:])}"
        )
    weight = (
        kernel.flip(0, 1).to(x)[None, None].expand(x.shape[1], 1, kh, kw).contiguous()
    )  # (C, 1, kh, kw)
    x = F.pad(
        x, (kw // 2, kw // 2, kh // 2, kh // 2), mode="reflect"
    )  # (B, C, H + kh - 1, W + kw - 1)
    out = F.conv2d(x, weight, groups=x.shape[1])  # (B, C, H, W)
    return out if img.ndim == 4 else out[0]


def random_trajectory(
    n_frames: int,
    *,
    speed: float = 1.0,
    jitter: float = 0.3,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """A smooth random camera path: constant velocity plus a random walk on velocity.

    A simplified Boracchi & Foi 2012 ("Modeling the performance of image restoration
    from motion blur") trajectory: start in a random direction at ``speed`` pixels per
    frame, add Gaussian accelerations of std ``jitter`` at every frame. The middle frame
    sits at (0, 0).

    Args:
        n_frames: number of frames T.
        speed: initial speed in pixels per frame.
        jitter: standard deviation of the per-frame change of velocity, in pixels per
            frame.
        generator: torch generator (CPU) for a reproducible path.

    Returns:
        Tensor[T, 2]: ``(dx, dy)`` offset of each frame in pixels.
    """
    fn = "random_trajectory"
    n_frames = check_int("n_frames", n_frames, min_value=1, fn=fn)
    speed = check_range("speed", speed, low=0.0, fn=fn)
    jitter = check_range("jitter", jitter, low=0.0, fn=fn)
    heading = 2 * math.pi * torch.rand((), generator=generator)
    start = speed * torch.stack([heading.cos(), heading.sin()])  # (2,)
    accel = jitter * torch.randn(n_frames, 2, generator=generator)  # (T, 2)
    velocity = start + accel.cumsum(0)  # (T, 2)
    path = velocity.cumsum(0)  # (T, 2)
    return path - path[n_frames // 2]


def frames_from_motion(
    image: torch.Tensor,
    n_frames: int,
    *,
    crop_size: int | tuple[int, int],
    trajectory: torch.Tensor | None = None,
    speed: float = 1.0,
    jitter: float = 0.3,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """A high-frame-rate clip: the centre crop of ``image`` seen by a shaking camera.

    Frame ``t`` is the crop displaced by ``trajectory[t]`` (bilinear for sub-pixel
    offsets, reflection beyond the image border). The middle frame has offset (0, 0) and
    is the sharp crop itself (up to float rounding): the deblurring target of
    ``average_frames(frames)``.

    Args:
        image (Tensor[C, H, W]): one sharp image, larger than the crop.
        n_frames: number of frames T (odd, so there is a middle frame).
        crop_size: ``h`` or ``(h, w)`` of each frame.
        trajectory (Tensor[T, 2] or None): ``(dx, dy)`` per frame in pixels (y down);
            default ``random_trajectory`` with ``speed``, ``jitter`` and ``generator``.

    Returns:
        Tensor[T, C, h, w].
    """
    fn = "frames_from_motion"
    check_tensor("image", image, ndim=3, dims="(C, H, W)", floating=True, fn=fn)
    n_frames = _check_odd("n_frames", n_frames, fn)
    h, w = (crop_size, crop_size) if isinstance(crop_size, int) else tuple(crop_size)
    _, H, W = image.shape
    if not (isinstance(h, int) and isinstance(w, int) and 1 <= h <= H and 1 <= w <= W):
        raise ValueError(
            f"{fn}: crop_size must be an int or (h, w) within the image {(H, W)}, got "
            f"{crop_size!r}"
        )
    if trajectory is None:
        trajectory = random_trajectory(
            n_frames, speed=speed, jitter=jitter, generator=generator
        )
    check_tensor("trajectory", trajectory, ndim=2, dims="(T, 2)", floating=True, fn=fn)
    if tuple(trajectory.shape) != (n_frames, 2):
        raise ValueError(
            f"{fn}: trajectory must have shape ({n_frames}, 2), got "
            f"{tuple(trajectory.shape)}"
        )
    top, left = (H - h) // 2, (W - w) // 2
    ys = torch.arange(top, top + h, device=image.device, dtype=image.dtype)  # (h,)
    xs = torch.arange(left, left + w, device=image.device, dtype=image.dtype)  # (w,)
    shift = trajectory.to(image)[:, None, None, :]  # (T, 1, 1, 2)
    pix = (
        torch.stack(torch.meshgrid(xs, ys, indexing="xy"), dim=-1) + shift
    )  # (T, h, w, 2) as (x, y)
    size = torch.tensor([W, H], device=image.device, dtype=image.dtype)
    grid = (2 * pix + 1) / size - 1  # pixel centres -> [-1, 1] (align_corners=False)
    frames = image[None].expand(n_frames, -1, -1, -1)  # (T, C, H, W), no copy
    return F.grid_sample(
        frames, grid, mode="bilinear", padding_mode="reflection", align_corners=False
    )


def average_frames(frames: torch.Tensor, *, gamma: float | None = None) -> torch.Tensor:
    """Motion blur as the mean of consecutive sharp frames (Nah et al. 2017, Eq. 1-2).

    A sensor integrates *light*, so GoPro averages in linear space:
    ``B = g(mean_t g⁻¹(S_t))`` with the camera response ``g(x) = x^(1/γ)``, ``γ = 2.2``.
    Pass ``gamma=2.2`` for that; ``None`` averages the stored (gamma-encoded) values, as
    RealBlur-style synthetic sets do.

    Args:
        frames (Tensor[T, C, H, W] or Tensor[B, T, C, H, W]): sharp frames in [0, 1].
        gamma: display gamma to undo before averaging, or None.

    Returns:
        Tensor[C, H, W] or Tensor[B, C, H, W]: the blurred image.
    """
    fn = "average_frames"
    check_tensor(
        "frames",
        frames,
        ndim=(4, 5),
        dims="(T, C, H, W) or (B, T, C, H, W)",
        floating=True,
        fn=fn,
    )
    if gamma is None:
        return frames.mean(dim=-4)  # (..., C, H, W)
    gamma = check_range("gamma", gamma, low=1e-3, fn=fn)
    linear = frames.clamp(min=0) ** gamma
    return linear.mean(dim=-4) ** (1 / gamma)  # (..., C, H, W)


def check_kernel(kernel: torch.Tensor, fn: str) -> torch.Tensor:
    """Raise a ``ValueError`` unless ``kernel`` is a valid PSF.

    A valid PSF is 2-D, odd-sized and non-negative, and sums to 1.
    """
    check_tensor("kernel", kernel, ndim=2, dims="(kh, kw)", floating=True, fn=fn)
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


def _check_odd(name: str, value, fn: str) -> int:
    check_int(name, value, min_value=1, fn=fn)
    if value % 2 == 0:
        raise ValueError(f"{fn}: {name} must be odd, got {value}")
    return value


def _pair_of_numbers(name: str, value, fn: str) -> tuple[float, float]:
    if not (isinstance(value, (tuple, list)) and len(value) == 2):
        raise ValueError(
            f"{fn}: {name} must be a number or a pair of numbers, got {value!r}"
        )
    return value[0], value[1]

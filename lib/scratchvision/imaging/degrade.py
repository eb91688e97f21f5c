"""Image degradations: noise, bicubic resizing, JPEG, and a Real-ESRGAN-style pipeline.

Restoration is learned from pairs (clean, degraded) made by a *forward model* of the
camera. Each function here is one such model; chapter 5 trains denoisers on
``add_gaussian_noise``, super-resolvers on ``bicubic_downsample`` and, to show why
bicubic-trained models fail on real photos, on ``realistic_sr_degradation``.

Images are float tensors in [0, 1]. Noise levels use the 0-255 scale of the denoising
literature (σ = 15, 25, 50 means a standard deviation of σ/255 here).

Taught in ``notebooks/05_imaging/`` (denoising, super-resolution).
"""

from __future__ import annotations

import io

import numpy as np
import torch
import torch.nn.functional as F
from einops import rearrange
from PIL import Image

from scratchvision.imaging._checks import check_image
from scratchvision.imaging.blur import blur, gaussian_kernel
from scratchvision.validate import check_choice, check_int, check_range

SCALES = (2, 3, 4)


def add_gaussian_noise(
    img: torch.Tensor,
    sigma: float,
    *,
    clip: bool = False,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Additive white Gaussian noise, ``y = x + n`` (Zhang et al. 2017, DnCNN).

    The noise is ``n ~ N(0, (σ/255)²)``. Benchmarks (BSD68, Set12) keep the noisy values
    unclipped so the noise stays zero-mean Gaussian; ``clip=True`` clamps to [0, 1] like
    a real 8-bit image instead.

    Args:
        img (Tensor[B, C, H, W] or Tensor[C, H, W]): clean images in [0, 1].
        sigma: noise standard deviation on the 0-255 scale.
        generator: torch generator on ``img``'s device, for reproducible noise.

    Returns:
        Tensor like ``img``.
    """
    (sigma,) = _check_noise("add_gaussian_noise", img, sigma=(sigma, 0.0))
    noise = torch.randn(
        img.shape, generator=generator, device=img.device, dtype=img.dtype
    )
    noisy = img + sigma / 255 * noise
    return noisy.clamp(0, 1) if clip else noisy


def add_poisson_gaussian_noise(
    img: torch.Tensor,
    *,
    photons: float,
    read_sigma: float,
    clip: bool = False,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Signal-dependent sensor noise: photon shot noise plus Gaussian read noise.

    ``y = Poisson(p·x) / p + N(0, (σ_r/255)²)`` with ``p`` photons at full scale, so
    ``Var[y | x] = a·x + b`` with ``a = 1/p``, ``b = (σ_r/255)²`` (Foi et al. 2008,
    "Practical Poissonian-Gaussian noise modeling and fitting for single-image
    raw-data", Eq. 1-3). Dark pixels are cleaner than bright ones, unlike
    ``add_gaussian_noise``.

    Args:
        img (Tensor[B, C, H, W] or Tensor[C, H, W]): clean images in [0, 1].
        photons: photon count ``p`` of a white pixel (peak); fewer photons, more noise.
        read_sigma: read-noise standard deviation on the 0-255 scale.

    Returns:
        Tensor like ``img``.
    """
    photons, read_sigma = _check_noise(
        "add_poisson_gaussian_noise",
        img,
        photons=(photons, 1e-6),
        read_sigma=(read_sigma, 0.0),
    )
    shot = torch.poisson(photons * img.clamp(min=0), generator=generator) / photons
    read = torch.randn(
        img.shape, generator=generator, device=img.device, dtype=img.dtype
    )
    noisy = shot + read_sigma / 255 * read
    return noisy.clamp(0, 1) if clip else noisy


def bicubic_downsample(img: torch.Tensor, scale: int) -> torch.Tensor:
    """The classic SR degradation: antialiased bicubic downsampling by ``scale``.

    ``F.interpolate(mode='bicubic', antialias=True)`` widens the cubic kernel
    (Keys 1981, ``a = -0.5``) by ``scale`` so it also low-pass filters, like PIL's
    ``resize(BICUBIC)`` and MATLAB's ``imresize`` that made the SR benchmarks
    (Set5, DIV2K); only the image borders differ slightly from MATLAB. Without
    antialiasing, downsampling would alias.

    Args:
        img (Tensor[B, C, H, W] or Tensor[C, H, W]): high-resolution images, H and W
            divisible by ``scale``.
        scale: 2, 3 or 4.

    Returns:
        Tensor[B, C, H / scale, W / scale] (or without ``B``), clamped to [0, 1].
    """
    x = _check_resize("bicubic_downsample", img, scale, divisible=True)  # (B, C, H, W)
    H, W = x.shape[-2:]
    out = F.interpolate(
        x, size=(H // scale, W // scale), mode="bicubic", antialias=True
    )  # (B, C, H/s, W/s)
    out = out.clamp(0, 1)  # the cubic's negative lobes overshoot at edges
    return out if img.ndim == 4 else out[0]


def bicubic_upsample(img: torch.Tensor, scale: int) -> torch.Tensor:
    """Bicubic upsampling by ``scale``: the baseline every super-resolution paper beats.

    Args:
        img (Tensor[B, C, h, w] or Tensor[C, h, w]): low-resolution images.
        scale: 2, 3 or 4.

    Returns:
        Tensor[B, C, h * scale, w * scale] (or without ``B``), clamped to [0, 1].
    """
    x = _check_resize("bicubic_upsample", img, scale, divisible=False)  # (B, C, h, w)
    out = F.interpolate(
        x, scale_factor=scale, mode="bicubic", align_corners=False
    )  # (B, C, h*s, w*s)
    out = out.clamp(0, 1)
    return out if img.ndim == 4 else out[0]


def jpeg(img: torch.Tensor, quality: int) -> torch.Tensor:
    """JPEG round trip (Wallace 1992): 8x8 DCT blocks, quantised by ``quality``.

    Goes through Pillow's 8-bit encoder and decoder (libjpeg, in memory, 4:2:0 chroma
    subsampling), so it is not differentiable: use it to make training data, not inside
    a loss.

    Args:
        img (Tensor[B, C, H, W] or Tensor[C, H, W]): images in [0, 1], ``C`` = 1 (grey)
            or 3 (RGB).
        quality: 1 (worst) to 100.

    Returns:
        Tensor like ``img`` (same dtype and device), values in [0, 1] on the 8-bit grid.
    """
    _check_jpeg(img, quality)
    x = img if img.ndim == 4 else img[None]  # (B, C, H, W)
    as_bytes = (x.detach().clamp(0, 1) * 255).round().to(torch.uint8).cpu()
    pixels = rearrange(
        as_bytes, "b c h w -> b h w c"
    ).numpy()  # (B, H, W, C), Pillow's layout
    decoded = np.stack([_jpeg_roundtrip(im, quality) for im in pixels])  # (B, H, W, C)
    out = rearrange(torch.from_numpy(decoded), "b h w c -> b c h w")  # (B, C, H, W)
    out = out.to(device=img.device, dtype=img.dtype) / 255
    return out if img.ndim == 4 else out[0]


def _jpeg_roundtrip(pixels: np.ndarray, quality: int) -> np.ndarray:
    buffer = io.BytesIO()
    image = Image.fromarray(
        pixels[..., 0] if pixels.shape[-1] == 1 else pixels
    )  # Pillow wants (H, W) for grey
    image.save(buffer, format="JPEG", quality=quality)
    return np.asarray(Image.open(buffer)).reshape(
        pixels.shape
    )  # a grey JPEG decodes to (H, W)


def realistic_sr_degradation(
    img: torch.Tensor, scale: int, *, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Real-ESRGAN's first-order degradation: random blur, resize, noise and JPEG.

    Wang et al. 2021 ("Real-ESRGAN", Sec. 3.1, Eq. 1): ``y = JPEG(D_s(k * x) + n)``.
    Per image, with Real-ESRGAN's first-order ranges where it has them:

    1. blur ``k``: a Gaussian, isotropic or not (σ ∈ [0.2, 3], any angle), size 7-21;
    2. downsample by ``scale``: area, bilinear or bicubic at random (no antialias);
    3. noise ``n``: Gaussian (σ ∈ [1, 30] of 255) or, 50/50, Poisson with 10-1000
       photons at white, log-uniform (``photons`` of ``add_poisson_gaussian_noise``);
    4. JPEG with quality ∈ [30, 95].

    Simplified from the paper: one order instead of two, no generalized/plateau kernels,
    no sinc filter, no random intermediate resize, colour noise only.

    Args:
        img (Tensor[B, C, H, W] or Tensor[C, H, W]): clean HR images, ``C`` = 1 or 3, H
            and W divisible by ``scale``.
        scale: 2, 3 or 4.
        generator: torch generator on ``img``'s device; it draws parameters and noise.

    Returns:
        Tensor[B, C, H / scale, W / scale] (or without ``B``) in [0, 1].
    """
    x = _check_realistic(img, scale)  # (B, C, H, W)
    out = torch.cat(
        [_degrade_one(im[None], scale, generator) for im in x]
    )  # (B, C, H/s, W/s)
    return out if img.ndim == 4 else out[0]


def _degrade_one(
    x: torch.Tensor, scale: int, g: torch.Generator | None
) -> torch.Tensor:
    def uniform(low: float, high: float) -> float:
        return low + (high - low) * torch.rand((), generator=g, device=x.device).item()

    size = 2 * int(uniform(3, 10.999)) + 1  # odd, 7 to 21
    sigma = (
        uniform(0.2, 3) if uniform(0, 1) < 0.5 else (uniform(0.2, 3), uniform(0.2, 3))
    )
    x = blur(x, gaussian_kernel(size, sigma, angle=uniform(0, 180)))  # (1, C, H, W)
    mode = ("area", "bilinear", "bicubic")[int(uniform(0, 2.999))]
    x = F.interpolate(
        x, size=(x.shape[-2] // scale, x.shape[-1] // scale), mode=mode
    )  # (1, C, H/s, W/s)
    if uniform(0, 1) < 0.5:
        x = add_gaussian_noise(x, uniform(1, 30), generator=g)
    else:
        x = add_poisson_gaussian_noise(
            x, photons=10 ** uniform(1, 3), read_sigma=0.0, generator=g
        )
    return jpeg(
        x.clamp(0, 1), int(uniform(30, 95.999))
    )  # JPEG stores 8-bit values in [0, 1]


def _check_resize(
    fn: str, img: torch.Tensor, scale: int, *, divisible: bool
) -> torch.Tensor:
    check_image(img, fn)
    check_choice("scale", check_int("scale", scale, fn=fn), SCALES, fn=fn)
    H, W = img.shape[-2:]
    if divisible and (H % scale or W % scale):
        raise ValueError(
            f"{fn}: img height and width must be divisible by scale={scale}, got "
            f"{(H, W)}; crop it first, e.g. img[..., :{H - H % scale}, "
            f":{W - W % scale}]"
        )
    return img if img.ndim == 4 else img[None]  # (B, C, H, W)


def _check_noise(fn: str, img, **levels: tuple[float, float]) -> list[float]:
    """Finite images, and each noise level a finite number >= its lower bound."""
    check_image(img, fn)
    return [check_range(name, v, low=low, fn=fn) for name, (v, low) in levels.items()]


def _check_jpeg(img, quality) -> None:
    fn = "jpeg"
    check_image(img, fn)
    if img.shape[-3] not in (1, 3):
        raise ValueError(f"{fn}: img must have 1 or 3 channels, got {img.shape[-3]}")
    check_int("quality", quality, fn=fn)
    check_range("quality", quality, low=1, high=100, fn=fn)


def _check_realistic(img, scale) -> torch.Tensor:
    fn = "realistic_sr_degradation"
    x = _check_resize(fn, img, scale, divisible=True)  # (B, C, H, W)
    if x.shape[1] not in (1, 3) or min(x.shape[-2:]) < 11:
        raise ValueError(
            f"{fn}: img must have 1 or 3 channels and H, W >= 11, got shape "
            f"{tuple(img.shape)}"
        )
    return x

"""Simulated training pairs: clean patches pushed through a forward model of the camera.

Supervised restoration needs pairs (degraded, clean), and no camera photographs one
scene both ways. So the pairs are *simulated*: cut a clean patch from a training photo,
push it through a model of the degradation, and train the net to undo it. A *pair
function* is such a forward model::

    pair(clean: Tensor[B, C, S, S], *, generator, **kwargs) -> (inputs, targets)

The inputs may be smaller than the targets (super-resolution); the targets may be
smaller than the patch (motion blur needs a margin for the camera to move in: see
``imaging.shake``). Zoo cards name a pair function by import path, as they name recipes:
``"degrade": "scratchvision.imaging.recipes:noise_pair"``.

Notebooks: ``notebooks/05_imaging/01_denoising.ipynb``, ``02_super_resolution.ipynb``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from scratchvision.imaging.degrade import (
    add_gaussian_noise,
    add_poisson_gaussian_noise,
    bicubic_downsample,
    realistic_sr_degradation,
)
from scratchvision.validate import check_range

Pair = Callable[..., tuple[torch.Tensor, torch.Tensor]]


def noise_pair(
    clean: torch.Tensor, *, sigma: float | Sequence[float] = 25, generator=None
):
    """Additive white Gaussian noise, ``sigma`` on the 0-255 scale.

    ``sigma`` is fixed, or a range ``[low, high]`` to draw it from per image. A range
    trains a *blind* denoiser, one net for every noise level (Zhang et al. 2017,
    DnCNN-B).
    """
    sigmas = draw(sigma, len(clean), generator, "noise_pair", "sigma")  # (B,)
    noisy = [
        add_gaussian_noise(x, s, generator=generator)
        for x, s in zip(clean, sigmas.tolist())
    ]
    return torch.stack(noisy), clean  # (B, C, S, S) each


def poisson_noise_pair(
    clean: torch.Tensor, *, photons: float, read_sigma: float = 0.0, generator=None
):
    """Signal-dependent sensor noise: a noise type to test on.

    See ``add_poisson_gaussian_noise``.
    """
    return add_poisson_gaussian_noise(
        clean, photons=photons, read_sigma=read_sigma, generator=generator
    ), clean


def bicubic_pair(clean: torch.Tensor, *, scale: int, generator=None):
    """SR pairs: the antialiased bicubic downsample, and the patch itself."""
    return bicubic_downsample(clean, scale), clean


def realistic_pair(
    clean: torch.Tensor, *, scale: int, generator: torch.Generator | None = None
):
    """SR pairs from ``realistic_sr_degradation``: blur, resize, noise and JPEG.

    Their parameters are drawn per patch.
    """
    return realistic_sr_degradation(clean, scale, generator=generator), clean


def resolve_pair(degrade: str | Pair) -> Pair:
    """A pair function, or one named by import path ``"package.module:function"``."""
    if callable(degrade):
        return degrade
    from scratchvision.zoo import resolve

    return resolve(degrade)


def draw(value, n: int, generator, fn: str, name: str) -> torch.Tensor:
    """``n`` copies of a number, or ``n`` uniform draws from a ``[low, high]`` pair."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        low = high = value
    elif isinstance(value, (list, tuple)) and len(value) == 2:
        low, high = value
    else:
        raise ValueError(
            f"{fn}: {name} must be a number or a [low, high] pair, got {value!r}"
        )
    check_range(name, low, low=0.0, fn=fn)
    check_range(name, high, low=low, fn=fn)
    return low + (high - low) * torch.rand(n, generator=generator)

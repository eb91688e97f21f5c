"""Scores on held-out photos: a fixed test set, running a restorer, its PSNR and SSIM.

Scores are measured on crops of the held-out photos of ``natural_split``, which no
training patch comes from, at fixed seeds, so every evaluation sees the same pairs.
``eval_restorer`` and ``eval_sr`` are the evaluators the zoo cards of chapter 5 name.

Notebooks: all of ``notebooks/05_imaging/``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from torch import nn

from scratchvision.data.natural import natural_images, natural_split, sample_patches
from scratchvision.imaging.degrade import bicubic_upsample
from scratchvision.imaging.pairs import Pair, bicubic_pair, resolve_pair
from scratchvision.metrics import detail_ratio, perceptual_distance, psnr, ssim


def heldout_pairs(
    degrade: str | Pair,
    *,
    degrade_kwargs: Mapping | None = None,
    n_crops: int = 12,
    size: int = 96,
    gray: bool = False,
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """A fixed test set: ``n_crops`` degraded crops of the held-out photos.

    Every call returns the same pairs.

    Returns:
        (inputs, targets) as ``degrade`` makes them from Tensor[n_crops, C, size, size].
    """
    generator = torch.Generator().manual_seed(seed)
    clean = sample_patches(
        natural_images(gray=gray, names=natural_split()[1]),
        n_crops,
        size,
        generator=generator,
    )
    return resolve_pair(degrade)(clean, generator=generator, **(degrade_kwargs or {}))


def final(outputs: torch.Tensor | Sequence[torch.Tensor]) -> torch.Tensor:
    """The full-resolution result of a restoration net.

    The output itself, or the last scale of a coarse-to-fine net.
    """
    return outputs[-1] if isinstance(outputs, (list, tuple)) else outputs


@torch.no_grad()
def restore(
    model: nn.Module, inputs: torch.Tensor, *, batch_size: int = 16
) -> torch.Tensor:
    """Run a restorer in eval mode, in chunks; the final image, clamped to [0, 1]."""
    model.eval()
    outputs = [final(model(chunk)) for chunk in inputs.split(batch_size)]
    return torch.cat(outputs).clamp(0, 1)


def eval_restorer(model: nn.Module, **heldout_kwargs) -> dict[str, float]:
    """Mean PSNR (dB) and SSIM of ``model`` on ``heldout_pairs(**heldout_kwargs)``."""
    inputs, targets = heldout_pairs(**heldout_kwargs)
    restored = restore(model, inputs)
    return {
        "psnr": psnr(restored, targets).item(),
        "ssim": ssim(restored, targets).item(),
    }


def eval_sr(
    model: nn.Module,
    *,
    degrade: str | Pair = bicubic_pair,
    degrade_kwargs: Mapping | None = None,
    n_crops: int = 32,
    size: int = 64,
    seed: int = 0,
) -> dict[str, float]:
    """Held-out scores of a super-resolver and of bicubic upsampling on the same inputs.

    The test set is ``heldout_pairs``: ``n_crops`` crops of the held-out photos
    at fixed seeds. ``perceptual`` is ``metrics.perceptual_distance`` with its default
    random-CNN features.

    Returns:
        ``psnr``, ``ssim``, ``perceptual`` and ``detail`` (:func:`detail_ratio`) of the
        model, and the same with a ``_bicubic`` suffix for bicubic upsampling: PSNR in
        dB and SSIM (higher is better), perceptual distance (lower is better), detail
        ratio (1 = as much as the originals).
    """
    low_res, high_res = heldout_pairs(
        degrade, degrade_kwargs=degrade_kwargs, n_crops=n_crops, size=size, seed=seed
    )
    scale = high_res.shape[-1] // low_res.shape[-1]
    scores = {}
    for suffix, restored in (
        ("", restore(model, low_res)),
        ("_bicubic", bicubic_upsample(low_res, scale)),
    ):
        scores[f"psnr{suffix}"] = psnr(restored, high_res).item()
        scores[f"ssim{suffix}"] = ssim(restored, high_res).item()
        scores[f"perceptual{suffix}"] = perceptual_distance(restored, high_res).item()
        scores[f"detail{suffix}"] = detail_ratio(restored, high_res).item()
    return scores

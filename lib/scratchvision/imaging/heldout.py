"""Scores on held-out photos: a fixed test set, running a restorer, its scores.

Scores are measured on crops of the held-out photos of ``natural_split``, which no
training patch comes from, at fixed seeds, so every evaluation sees the same pairs.
The crops are **non-overlapping tiles** (:func:`heldout_crops`): two crops share no
pixel, so their scores are separate measurements and a mean over them has an honest
interval (``measure.mean_interval``). ``crop_scores`` gives one score per crop;
``eval_restorer`` and ``eval_sr``, the evaluators the zoo cards of chapter 5 name,
report their means.

Notebooks: all of ``notebooks/05_imaging/``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from torch import nn

from scratchvision.data.natural import natural_images, natural_split
from scratchvision.imaging.degrade import bicubic_upsample
from scratchvision.imaging.pairs import Pair, bicubic_pair, resolve_pair
from scratchvision.metrics import detail_ratio, perceptual_distance, psnr, ssim
from scratchvision.validate import Checker

#: Crops per test set: enough for a 95 % interval of about +-0.1 dB on a PSNR mean.
N_CROPS = 64


def heldout_crops(
    n_crops: int = N_CROPS, size: int = 96, *, gray: bool = False, seed: int = 0
) -> torch.Tensor:
    """``n_crops`` distinct ``size x size`` tiles of the held-out photos.

    Each held-out photo is cut into a grid of non-overlapping tiles (from its top-left
    corner); ``seed`` picks ``n_crops`` of all the tiles, without replacement.

    Returns:
        Tensor[n_crops, C, size, size], C = 1 if ``gray`` else 3.
    """
    check = Checker("heldout_crops")
    check.int("n_crops", n_crops, min_value=1)
    check.int("size", size, min_value=1)
    photos = natural_images(gray=gray, names=natural_split()[1]).values()
    tiles = [
        photo[:, top : top + size, left : left + size]
        for photo in photos
        for top in range(0, photo.shape[1] - size + 1, size)
        for left in range(0, photo.shape[2] - size + 1, size)
    ]
    check.that(
        n_crops <= len(tiles),
        f"n_crops must be at most the {len(tiles)} tiles of {size} px that the "
        f"held-out photos hold, got {n_crops}",
    )
    pick = torch.randperm(len(tiles), generator=torch.Generator().manual_seed(seed))
    return torch.stack([tiles[i] for i in pick[:n_crops].tolist()])


def heldout_pairs(
    degrade: str | Pair,
    *,
    degrade_kwargs: Mapping | None = None,
    n_crops: int = N_CROPS,
    size: int = 96,
    gray: bool = False,
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """A fixed test set: ``n_crops`` degraded tiles of the held-out photos.

    Every call returns the same pairs (:func:`heldout_crops`, then ``degrade`` drawn
    from ``seed``).

    Returns:
        (inputs, targets) as ``degrade`` makes them from Tensor[n_crops, C, size, size].
    """
    clean = heldout_crops(n_crops, size, gray=gray, seed=seed)
    generator = torch.Generator().manual_seed(seed)
    return resolve_pair(degrade)(clean, generator=generator, **(degrade_kwargs or {}))


def crop_scores(
    restored: torch.Tensor, targets: torch.Tensor, *, perceptual: bool = False
) -> dict[str, torch.Tensor]:
    """One score per crop, for a mean with its interval (``measure.mean_interval``).

    Returns:
        ``psnr`` (dB) and ``ssim``, Tensor[B] each; with ``perceptual``, also
        ``perceptual`` (``perceptual_distance``, lower is better) and ``detail``
        (``detail_ratio``, 1 = as much fine detail as the originals).
    """
    restored = restored.clamp(0, 1)
    scores = {
        "psnr": psnr(restored, targets, reduction="none"),
        "ssim": ssim(restored, targets, reduction="none"),
    }
    if perceptual:
        scores["perceptual"] = perceptual_distance(restored, targets, reduction="none")
        scores["detail"] = detail_ratio(restored, targets, reduction="none")
    return scores


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
    scores = crop_scores(restore(model, inputs), targets)
    return {name: values.mean().item() for name, values in scores.items()}


def sr_crop_scores(
    model: nn.Module,
    *,
    degrade: str | Pair = bicubic_pair,
    degrade_kwargs: Mapping | None = None,
    n_crops: int = N_CROPS,
    size: int = 64,
    seed: int = 0,
) -> dict[str, torch.Tensor]:
    """Per-crop held-out scores of a super-resolver and of bicubic upsampling.

    The test set is ``heldout_pairs(degrade, ...)``: ``n_crops`` tiles of ``size``
    pixels of the held-out photos, at fixed seeds. ``perceptual`` is
    ``metrics.perceptual_distance`` with its default random-CNN features.

    Returns:
        ``psnr``, ``ssim``, ``perceptual`` and ``detail`` (:func:`crop_scores`) of the
        model, and the same with a ``_bicubic`` suffix for bicubic upsampling of the
        same inputs: Tensor[n_crops] each, crop by crop, for paired intervals.
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
        per_crop = crop_scores(restored, high_res, perceptual=True)
        scores |= {f"{k}{suffix}": v for k, v in per_crop.items()}
    return scores


def eval_sr(model: nn.Module, **heldout_kwargs) -> dict[str, float]:
    """The means of :func:`sr_crop_scores` (same arguments), and ``psnr_gain``.

    Returns:
        ``psnr``, ``ssim``, ``perceptual``, ``detail`` and their ``_bicubic`` twins:
        PSNR in dB and SSIM (higher is better), perceptual distance (lower is better),
        detail ratio (1 = as much as the originals); ``psnr_gain``, the model's PSNR
        minus bicubic's (dB), which a card's floor can name.
    """
    per_crop = sr_crop_scores(model, **heldout_kwargs)
    scores = {name: values.mean().item() for name, values in per_crop.items()}
    scores["psnr_gain"] = scores["psnr"] - scores["psnr_bicubic"]
    return scores

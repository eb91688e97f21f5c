"""Chapter 5 recipes: train restorers on simulated pairs, score them on held-out photos.

Supervised restoration needs pairs (degraded, clean), and no camera photographs one
scene both ways. So the pairs are *simulated*: cut a clean patch from a training photo,
push it through a forward model of the degradation, and train the net to undo it. Every
batch is drawn afresh (new crops, new noise, new camera shake), so training never sees a
pair twice.

A *pair function* is such a forward model::

    pair(clean: Tensor[B, C, S, S], *, generator, **kwargs) -> (inputs, targets)

The targets may be smaller than the patch (motion blur needs a margin for the camera to
move in) and the inputs smaller than the targets (super-resolution). Zoo cards name it
by import path, as they name recipes:
``"degrade": "scratchvision.imaging.recipes:noise_pair"``.

Scores are measured on crops of the held-out photos of ``natural_split``, which no
training patch comes from, at fixed seeds, so every evaluation sees the same pairs.

Notebooks: ``notebooks/05_imaging/01_denoising.ipynb``, ``03_deblurring.ipynb``.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator, Mapping, Sequence

import torch
from torch import nn

from scratchvision.data.natural import natural_images, natural_split, sample_patches
from scratchvision.imaging.blur import (
    average_frames,
    frames_from_motion,
    random_trajectory,
)
from scratchvision.imaging.degrade import (
    add_gaussian_noise,
    add_poisson_gaussian_noise,
    bicubic_downsample,
)
from scratchvision.imaging.losses import l1_loss, l2_loss, multiscale_loss
from scratchvision.imaging.metrics import psnr, ssim
from scratchvision.train import fit, seed_everything
from scratchvision.validate import check_choice, check_int, check_range

Pair = Callable[..., tuple[torch.Tensor, torch.Tensor]]
PIXEL_LOSSES = {"l1": l1_loss, "l2": l2_loss}


# ---- forward models: clean patches -> (inputs, targets) ----


def noise_pair(
    clean: torch.Tensor, *, sigma: float | Sequence[float] = 25, generator=None
):
    """Additive white Gaussian noise, ``sigma`` on the 0-255 scale.

    ``sigma`` is fixed, or a range ``[low, high]`` to draw it from per image. A range
    trains a *blind* denoiser, one net for every noise level (Zhang et al. 2017,
    DnCNN-B).
    """
    sigmas = _draw(sigma, len(clean), generator, "noise_pair", "sigma")  # (B,)
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


def motion_blur_pair(
    clean: torch.Tensor,
    *,
    n_frames: int = 11,
    speed: float | Sequence[float] = (0.2, 1.0),
    jitter: float = 0.0,
    margin: int = 16,
    noise_sigma: float = 0.0,
    generator=None,
):
    """Camera motion by frame averaging (Nah et al. 2017, Eq. 1-2).

    Pairs of the blurred average and the sharp middle frame.

    Each patch gets its own ``random_trajectory``, with a speed (pixels per frame) fixed
    or drawn from ``[low, high]``; the blur is ``speed * (n_frames - 1)`` pixels long.
    ``jitter`` bends the path, but then the sharp middle frame no longer sits at the
    centre of the blur trace, and no network can tell where it was: a straight path
    (``jitter=0``) is what a small net learns from in minutes. See ``shake`` for
    ``margin`` and ``noise_sigma``.
    """
    speeds = _draw(speed, len(clean), generator, "motion_blur_pair", "speed")  # (B,)
    paths = [
        random_trajectory(n_frames, speed=v, jitter=jitter, generator=generator)
        for v in speeds.tolist()
    ]
    return shake(
        clean, paths, margin=margin, noise_sigma=noise_sigma, generator=generator
    )


def shake(
    clean: torch.Tensor,
    trajectories: Sequence[torch.Tensor],
    *,
    margin: int,
    noise_sigma: float = 0.0,
    generator=None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Blur each patch along its own camera path; return the mean and the middle frame.

    Both images are the centre crop, ``margin`` pixels in from every side, so the camera
    moves over real content rather than a reflected border. ``noise_sigma``
    (0-255 scale) adds the sensor noise every real blurred photo also has.

    Args:
        clean (Tensor[B, C, S, S]): sharp patches.
        trajectories: B Tensor[T, 2] camera paths (odd T), e.g. from
            ``random_trajectory``.

    Returns:
        (blurred, sharp), each Tensor[B, C, S - 2 margin, S - 2 margin].
    """
    fn = "shake"
    check_int("margin", margin, min_value=0, fn=fn)
    if len(trajectories) != len(clean):
        raise ValueError(
            f"{fn}: trajectories must have one path per patch ({len(clean)}), got "
            f"{len(trajectories)}"
        )
    size = clean.shape[-1] - 2 * margin
    frames = [
        frames_from_motion(
            x, len(path), crop_size=size, trajectory=path
        )  # (T, C, size, size) each
        for x, path in zip(clean, trajectories)
    ]
    blurred = torch.stack([average_frames(f) for f in frames])  # (B, C, size, size)
    sharp = torch.stack([f[len(f) // 2] for f in frames])  # (B, C, size, size)
    return add_gaussian_noise(blurred, noise_sigma, generator=generator), sharp


def trajectory_psf(
    trajectory: torch.Tensor, *, size: int | None = None
) -> torch.Tensor:
    """The PSF of frame-averaged motion along ``trajectory``: one bright pixel, blurred.

    Averaging shifted (bilinearly interpolated) copies of an image is linear and the
    same at every pixel, so it is a convolution,
    ``average_frames(frames_from_motion(x)) = k * x`` away from the border, and its
    kernel ``k`` is the response to an impulse. Classical deconvolution
    (Wiener, Richardson-Lucy) needs this ``k``; a learned deblurrer never sees it.

    Args:
        trajectory (Tensor[T, 2]): ``(dx, dy)`` per frame, as ``random_trajectory``
            returns.
        size: odd side of the kernel; default just large enough for the path.

    Returns:
        Tensor[size, size], non-negative, summing to 1 (``blur``'s convention).
    """
    reach = int(trajectory.abs().max().ceil()) + 1
    size = 2 * reach + 1 if size is None else size
    impulse = torch.zeros(1, size, size)
    impulse[0, size // 2, size // 2] = 1.0
    frames = frames_from_motion(
        impulse, len(trajectory), crop_size=size, trajectory=trajectory.float()
    )
    psf = average_frames(frames)[0]  # (size, size)
    return psf / psf.sum()


def bicubic_pair(clean: torch.Tensor, *, scale: int, generator=None):
    """SR pairs: the antialiased bicubic downsample, and the patch itself."""
    return bicubic_downsample(clean, scale), clean


def _draw(value, n: int, generator, fn: str, name: str) -> torch.Tensor:
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


def resolve_pair(degrade: str | Pair) -> Pair:
    """A pair function, or one named by import path ``"package.module:function"``."""
    if callable(degrade):
        return degrade
    from scratchvision.zoo import resolve

    return resolve(degrade)


# ---- training ----


class PairStream:
    """``batches`` fresh training pairs per pass, for ``train.fit``.

    Every pass draws new crops and new degradations.

    Items: ``(inputs, targets)`` from
    ``pair(sample_patches(images, batch_size, patch_size))``.
    """

    def __init__(
        self,
        images: Mapping[str, torch.Tensor],
        pair: Pair,
        *,
        batches: int,
        batch_size: int,
        patch_size: int,
        generator: torch.Generator,
        **pair_kwargs,
    ) -> None:
        self.images, self.pair, self.pair_kwargs = images, pair, pair_kwargs
        self.batches = check_int("batches", batches, min_value=1, fn="PairStream")
        self.batch_size, self.patch_size, self.generator = (
            batch_size,
            patch_size,
            generator,
        )

    def __len__(self) -> int:
        return self.batches

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        for _ in range(self.batches):
            clean = sample_patches(
                self.images, self.batch_size, self.patch_size, generator=self.generator
            )
            yield self.pair(clean, generator=self.generator, **self.pair_kwargs)


def final(outputs: torch.Tensor | Sequence[torch.Tensor]) -> torch.Tensor:
    """The full-resolution result of a restoration net.

    The output itself, or the last scale of a coarse-to-fine net.
    """
    return outputs[-1] if isinstance(outputs, (list, tuple)) else outputs


def restoration_loss(
    outputs, targets: torch.Tensor, *, loss: str = "l1"
) -> torch.Tensor:
    """``l1`` or ``l2`` between output and target.

    Averaged over the scales of a multi-scale net.
    """
    pixel = PIXEL_LOSSES[
        check_choice("loss", loss, tuple(PIXEL_LOSSES), fn="restoration_loss")
    ]
    if isinstance(outputs, (list, tuple)):
        return multiscale_loss(outputs, targets, loss=pixel)
    return pixel(outputs, targets)


def train_restorer(
    model: nn.Module,
    *,
    degrade: str | Pair,
    degrade_kwargs: Mapping | None = None,
    loss: str = "l1",
    steps: int = 1000,
    epochs: int = 10,
    batch_size: int = 16,
    patch_size: int = 48,
    lr: float = 2e-3,
    gray: bool = False,
    names: Sequence[str] | None = None,
    seed: int = 0,
) -> dict[str, list[float]]:
    """Train ``model`` to undo ``degrade`` on fresh training patches; return the curves.

    AdamW with a one-cycle schedule for ``steps`` steps of ``batch_size`` patches,
    logged in ``epochs`` chunks (there is no fixed data set to pass over).

    Args:
        model: maps inputs to a restored image (or a coarse-to-fine list of them).
        degrade: a pair function, or its import path.
        degrade_kwargs: its keyword arguments, e.g. ``{"sigma": [5, 55]}``.
        loss: ``"l1"`` or ``"l2"``.
        patch_size: side S of the clean patches handed to ``degrade``.
        gray: train on luminance (1 channel) instead of RGB.
        names: training photos (default: the train half of ``natural_split``); never
            held-out ones.

    Returns:
        ``{"train_loss": [...], "train_psnr": [...], "seconds": [...]}``, one value per
        epoch.
    """
    fn = "train_restorer"
    train_names, held_out = natural_split()
    names = train_names if names is None else list(names)
    if set(names) & set(held_out):
        raise ValueError(
            f"{fn}: names must not include the held-out photos {held_out}, got {names}"
        )
    check_int("steps", steps, min_value=1, fn=fn)
    check_int("epochs", epochs, min_value=1, fn=fn)
    if steps % epochs:
        raise ValueError(
            f"{fn}: steps must be a multiple of epochs={epochs}, got {steps}"
        )
    generator = seed_everything(seed)
    stream = PairStream(
        natural_images(gray=gray, names=names),
        resolve_pair(degrade),
        batches=steps // epochs,
        batch_size=batch_size,
        patch_size=patch_size,
        generator=generator,
        **(degrade_kwargs or {}),
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=lr, total_steps=steps, pct_start=0.1
    )
    history = fit(
        model,
        stream,
        epochs=epochs,
        optimizer=optimizer,
        scheduler=scheduler,
        loss_fn=functools.partial(restoration_loss, loss=loss),
        metrics={"psnr": lambda out, y: psnr(final(out).clamp(0, 1), y).item()},
        progress=False,
        verbose=False,
    )
    return {
        key: [round(v, 4) for v in history.series(key)]
        for key in ("train_loss", "train_psnr", "seconds")
    }


# ---- evaluation on held-out photos ----


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


def benchmark_methods(
    methods: Mapping[str, Callable[[torch.Tensor], torch.Tensor]],
    inputs: torch.Tensor,
    targets: torch.Tensor,
) -> list[dict]:
    """Score and time restoration methods on the same pairs: one row per method.

    Returns:
        ``{"method", "psnr", "ssim", "seconds", "s_per_mpix"}`` rows; ``s_per_mpix`` is
        the run time per million output pixels.
    """
    megapixels = targets.shape[0] * targets.shape[-2] * targets.shape[-1] / 1e6
    rows = []
    for name, method in methods.items():
        start = time.perf_counter()
        restored = method(inputs).clamp(0, 1)
        seconds = time.perf_counter() - start
        rows.append(
            {
                "method": name,
                "psnr": psnr(restored, targets).item(),
                "ssim": ssim(restored, targets).item(),
                "seconds": seconds,
                "s_per_mpix": seconds / megapixels,
            }
        )
    return rows


def denoise_benchmark(
    *,
    sigmas: Sequence[float] = (15, 25, 50),
    n_crops: int = 3,
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

"""Camera-shake pairs: a sharp patch moved along a path, averaged into a blurred one.

Nah et al. 2017 film at high frame rate and average consecutive sharp frames; the middle
frame is the sharp target. ``shake`` does the same with one still patch moved along a
camera path (``imaging.motion.random_trajectory``), ``motion_blur_pair`` is the pair
function of the deblurring recipe, and ``trajectory_psf`` is the blur kernel such a path
amounts to, which classical deconvolution needs and a learned deblurrer never sees.

Notebook: ``notebooks/05_imaging/03_deblurring.ipynb``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from scratchvision.imaging.degrade import add_gaussian_noise
from scratchvision.imaging.motion import (
    average_frames,
    frames_from_motion,
    random_trajectory,
)
from scratchvision.imaging.pairs import draw
from scratchvision.validate import check_int


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
    speeds = draw(speed, len(clean), generator, "motion_blur_pair", "speed")  # (B,)
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

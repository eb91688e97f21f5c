"""Camera motion: a smooth random path, the frames a moving camera sees, their average.

Nah et al. 2017 ("Deep multi-scale CNN for dynamic scene deblurring", Eq. 1-2) film at
240 fps and average consecutive sharp frames into a blurred one, taking the middle frame
as the sharp target. Here one still image is moved along a random smooth trajectory
(``random_trajectory``), cropped frame by frame (``frames_from_motion``) and averaged
(``average_frames``); ``imaging.shake`` turns that into training pairs.

Taught in ``notebooks/05_imaging/03_deblurring.ipynb``.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from scratchvision.imaging._checks import check_odd
from scratchvision.validate import check_int, check_range, check_tensor


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
    h, w = _check_motion(image, n_frames, crop_size, trajectory)
    if trajectory is None:
        trajectory = random_trajectory(
            n_frames, speed=speed, jitter=jitter, generator=generator
        )
    _, H, W = image.shape
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
    Pass ``gamma=2.2`` for that; ``None`` averages the stored (gamma-encoded) values,
    the simplest frame-averaging recipe. (RealBlur is not synthetic: two cameras
    behind a beam splitter capture a long and a short exposure.)

    Args:
        frames (Tensor[T, C, H, W] or Tensor[B, T, C, H, W]): sharp frames in [0, 1].
        gamma: display gamma to undo before averaging, or None.

    Returns:
        Tensor[C, H, W] or Tensor[B, C, H, W]: the blurred image.
    """
    _check_frames(frames, gamma)
    if gamma is None:
        return frames.mean(dim=-4)  # (..., C, H, W)
    linear = frames.clamp(min=0) ** gamma
    return linear.mean(dim=-4) ** (1 / gamma)  # (..., C, H, W)


def _check_motion(image, n_frames, crop_size, trajectory) -> tuple[int, int]:
    fn = "frames_from_motion"
    check_tensor(
        "image", image, ndim=3, dims="(C, H, W)", floating=True, finite=True, fn=fn
    )
    n_frames = check_odd("n_frames", n_frames, fn)
    pair = (crop_size, crop_size) if isinstance(crop_size, int) else crop_size
    _, H, W = image.shape
    if not (
        isinstance(pair, (tuple, list))
        and len(pair) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in pair)
        and 1 <= pair[0] <= H
        and 1 <= pair[1] <= W
    ):
        raise ValueError(
            f"{fn}: crop_size must be an int or (h, w) within the image {(H, W)}, got "
            f"{crop_size!r}"
        )
    if trajectory is not None:
        check_tensor(
            "trajectory",
            trajectory,
            ndim=2,
            dims="(T, 2)",
            floating=True,
            finite=True,
            fn=fn,
        )
        if tuple(trajectory.shape) != (n_frames, 2):
            raise ValueError(
                f"{fn}: trajectory must have shape ({n_frames}, 2), got "
                f"{tuple(trajectory.shape)}"
            )
    return pair[0], pair[1]


def _check_frames(frames, gamma) -> None:
    fn = "average_frames"
    check_tensor(
        "frames",
        frames,
        ndim=(4, 5),
        dims="(T, C, H, W) or (B, T, C, H, W)",
        floating=True,
        finite=True,
        nonempty=True,
        fn=fn,
    )
    if frames.shape[-4] == 0:
        raise ValueError(f"{fn}: frames must hold at least one frame, got none")
    if gamma is not None:
        check_range("gamma", gamma, low=1e-3, fn=fn)

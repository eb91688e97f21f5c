"""scratchvision.imaging.degrade and .blur, the forward models of chapter 5."""

import math

import numpy as np
import pytest
import scipy.ndimage
import torch
from PIL import Image
from scratchvision.imaging import blur as B
from scratchvision.imaging import degrade as D
from scratchvision.imaging import motion as M
from skimage import data


def astronaut(size=128, top=100, left=180, dtype=torch.float32):
    """A crop of skimage's astronaut as Tensor[3, size, size] in [0, 1]."""
    crop = data.astronaut()[top : top + size, left : left + size]
    return torch.from_numpy(crop).permute(2, 0, 1).to(dtype) / 255


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


# ---------------------------------------------------------------- noise


def test_gaussian_noise_std_is_sigma_over_255():
    clean = torch.full((2, 3, 128, 128), 0.5)
    noise = D.add_gaussian_noise(clean, 25, generator=gen()) - clean
    assert noise.std().item() == pytest.approx(25 / 255, rel=0.02)
    assert abs(noise.mean().item()) < 1e-3
    assert D.add_gaussian_noise(clean, 0, generator=gen()).equal(clean)


def test_gaussian_noise_is_deterministic_with_a_generator_and_clips_on_request():
    img = astronaut(32)
    a, b = (D.add_gaussian_noise(img, 50, generator=gen(1)) for _ in range(2))
    assert a.equal(b) and a.shape == img.shape and a.dtype == img.dtype
    assert not a.equal(D.add_gaussian_noise(img, 50, generator=gen(2)))
    assert a.min() < 0 or a.max() > 1  # unclipped by default: the benchmark convention
    clipped = D.add_gaussian_noise(img, 50, clip=True, generator=gen(1))
    assert clipped.min() >= 0 and clipped.max() <= 1


def test_poisson_gaussian_variance_is_affine_in_the_signal():
    photons, read_sigma = 100.0, 10.0
    levels = torch.linspace(0.05, 0.95, 10)
    clean = (
        levels[:, None, None, None].expand(10, 1, 100, 100).contiguous()
    )  # one flat image per level
    noisy = D.add_poisson_gaussian_noise(
        clean, photons=photons, read_sigma=read_sigma, generator=gen()
    )
    var = noisy.flatten(1).var(dim=1)  # (10,)
    a, b = np.polyfit(levels.numpy(), var.numpy(), deg=1)  # Var = a x + b
    assert a == pytest.approx(1 / photons, rel=0.1)
    assert b == pytest.approx((read_sigma / 255) ** 2, rel=0.2)
    assert torch.allclose(noisy.flatten(1).mean(dim=1), levels, atol=3e-3)  # unbiased


def test_poisson_gaussian_determinism_and_errors():
    img = astronaut(16)
    kw = dict(photons=50, read_sigma=2)
    first, second = (
        D.add_poisson_gaussian_noise(img, **kw, generator=gen()) for _ in range(2)
    )
    assert first.equal(second)
    with pytest.raises(ValueError, match="photons"):
        D.add_poisson_gaussian_noise(img, photons=0, read_sigma=1)
    with pytest.raises(ValueError, match="read_sigma"):
        D.add_poisson_gaussian_noise(img, photons=10, read_sigma=-1)


def test_noise_rejects_bad_arguments():
    with pytest.raises(ValueError, match="sigma"):
        D.add_gaussian_noise(astronaut(8), -1)
    with pytest.raises(ValueError, match="img"):
        D.add_gaussian_noise(torch.zeros(3, 8, 8, dtype=torch.uint8), 10)


# ---------------------------------------------------------------- resizing and JPEG


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_bicubic_downsample_matches_pil(scale):
    """Oracle: PIL's antialiased bicubic (8-bit internally, hence the tolerance)."""
    rgb = data.astronaut()[:240, :240]
    pil = (
        np.asarray(Image.fromarray(rgb).resize((240 // scale,) * 2, Image.BICUBIC))
        / 255
    )
    ours = D.bicubic_downsample(
        torch.from_numpy(rgb).permute(2, 0, 1).double() / 255, scale
    )
    diff = np.abs(ours.permute(1, 2, 0).numpy() - pil)
    assert ours.shape == (3, 240 // scale, 240 // scale)
    assert diff.mean() < 0.5 / 255 and diff.max() < 3 / 255


def test_bicubic_resize_shapes_batching_and_constants():
    x = torch.rand(2, 3, 48, 60, generator=gen())
    small = D.bicubic_downsample(x, 3)
    assert small.shape == (2, 3, 16, 20) and small.min() >= 0 and small.max() <= 1
    assert torch.allclose(
        small[1], D.bicubic_downsample(x[1], 3)
    )  # batched == per-sample
    assert D.bicubic_upsample(small, 3).shape == (2, 3, 48, 60)
    flat = torch.full((1, 8, 8), 0.3)
    assert torch.allclose(D.bicubic_upsample(flat, 4), torch.full((1, 32, 32), 0.3))
    assert torch.allclose(D.bicubic_downsample(flat, 2), torch.full((1, 4, 4), 0.3))


def test_bicubic_rejects_bad_scale_and_sizes():
    x = torch.rand(3, 24, 24)
    for bad in (5, 1, 2.0):
        with pytest.raises(ValueError, match="scale"):
            D.bicubic_downsample(x, bad)
    with pytest.raises(ValueError, match="divisible"):
        D.bicubic_downsample(torch.rand(3, 25, 24), 2)
    with pytest.raises(ValueError, match="img"):
        D.bicubic_upsample(torch.rand(24, 24), 2)


def test_jpeg_quality_controls_the_error():
    img = astronaut(64)
    err = {q: (D.jpeg(img, q) - img).pow(2).mean().item() for q in (10, 50, 95)}
    assert err[10] > err[50] > err[95]
    out = D.jpeg(img[None].double(), 75)
    assert out.shape == (1, 3, 64, 64) and out.dtype == torch.float64
    assert torch.allclose(
        out * 255, (out * 255).round(), atol=1e-6
    )  # lands on the 8-bit grid
    assert D.jpeg(img[:1], 75).shape == (1, 64, 64)  # greyscale


def test_jpeg_rejects_bad_input():
    with pytest.raises(ValueError, match="quality"):
        D.jpeg(astronaut(16), 0)
    with pytest.raises(ValueError, match="quality"):
        D.jpeg(astronaut(16), 101)
    with pytest.raises(ValueError, match="channels"):
        D.jpeg(torch.rand(4, 16, 16), 50)


def test_realistic_sr_degradation_shapes_range_and_determinism():
    hr = torch.stack([astronaut(64), astronaut(64, top=200)])
    lr = D.realistic_sr_degradation(hr, 4, generator=gen(3))
    assert lr.shape == (2, 3, 16, 16) and lr.min() >= 0 and lr.max() <= 1
    assert lr.equal(D.realistic_sr_degradation(hr, 4, generator=gen(3)))
    assert not lr.equal(D.realistic_sr_degradation(hr, 4, generator=gen(4)))
    assert D.realistic_sr_degradation(hr[0], 2, generator=gen()).shape == (3, 32, 32)
    # harder than the clean bicubic pipeline:
    # farther from the bicubic LR image than JPEG alone
    bicubic = D.bicubic_downsample(hr, 4)
    assert (lr - bicubic).abs().mean() > (D.jpeg(bicubic, 95) - bicubic).abs().mean()
    with pytest.raises(ValueError, match="channels"):
        D.realistic_sr_degradation(torch.rand(2, 32, 32), 2)
    with pytest.raises(ValueError, match="scale"):
        D.realistic_sr_degradation(hr, 8)


# ---------------------------------------------------------------- blur kernels


@pytest.mark.parametrize(
    "length,angle", [(0, 0), (5, 0), (7.5, 30), (12, 135), (3, 90)]
)
def test_motion_kernel_is_a_normalised_psf(length, angle):
    k = B.motion_kernel(length, angle)
    assert k.ndim == 2 and k.shape[0] == k.shape[1] and k.shape[0] % 2 == 1
    assert k.min() >= 0 and k.sum().item() == pytest.approx(1.0, abs=1e-6)
    assert torch.allclose(k, k.flip(0, 1))  # a centred segment is point-symmetric


def test_motion_kernel_geometry():
    assert B.motion_kernel(0, 45).equal(torch.ones(1, 1))  # no motion: a delta
    horizontal = B.motion_kernel(5, 0, size=9)
    assert horizontal[4].sum() == pytest.approx(1.0) and (horizontal[4] > 0).sum() == 7
    assert torch.allclose(B.motion_kernel(5, 90, size=9), horizontal.T, atol=1e-6)
    with pytest.raises(ValueError, match="size"):
        B.motion_kernel(5, 0, size=8)
    with pytest.raises(ValueError, match="length"):
        B.motion_kernel(-1, 0)


def test_gaussian_kernel_isotropic_and_anisotropic():
    k = B.gaussian_kernel(11, 1.5, dtype=torch.float64)
    g = torch.exp(-0.5 * (torch.arange(-5, 6, dtype=torch.float64) / 1.5) ** 2)
    assert torch.allclose(k, torch.outer(g, g) / torch.outer(g, g).sum())  # separable
    aniso = B.gaussian_kernel(9, (3.0, 0.7))
    assert (
        aniso.sum().item() == pytest.approx(1.0) and aniso[4].sum() > aniso[:, 4].sum()
    )  # wide along x
    assert torch.allclose(
        B.gaussian_kernel(9, (3.0, 0.7), angle=90), aniso.T, atol=1e-6
    )
    with pytest.raises(ValueError, match="sigma"):
        B.gaussian_kernel(5, 0)


# ---------------------------------------------------------------- blur


def test_blur_with_a_delta_is_the_identity():
    img = astronaut(32)
    delta = torch.zeros(5, 5)
    delta[2, 2] = 1
    assert torch.allclose(B.blur(img, delta), img)
    assert B.blur(img[None], delta).shape == (1, 3, 32, 32)


def test_blur_is_scipy_convolution_with_mirror_borders():
    """Oracle: scipy.ndimage.convolve (a true convolution).

    An asymmetric kernel checks the flip.
    """
    img = astronaut(24, dtype=torch.float64)
    k = torch.rand(3, 5, generator=gen(), dtype=torch.float64)
    k = k / k.sum()
    ours = B.blur(img, k)
    ref = np.stack(
        [scipy.ndimage.convolve(ch, k.numpy(), mode="mirror") for ch in img.numpy()]
    )
    assert np.allclose(ours.numpy(), ref, atol=1e-12)


def test_blur_rejects_bad_kernels():
    img = astronaut(16)
    for bad, match in [
        (torch.ones(3, 3), "sum to 1"),
        (torch.ones(4, 4) / 16, "odd"),
        (torch.ones(9) / 9, "kernel"),
        (torch.ones(41, 41) / 41**2, "too large"),
    ]:
        with pytest.raises(ValueError, match=match):
            B.blur(img, bad)


# ---------------------------------------------------------------- frames and averaging


def test_frames_from_motion_shapes_middle_frame_and_determinism():
    image = astronaut(96)
    frames = M.frames_from_motion(image, 9, crop_size=48, generator=gen(5))
    assert frames.shape == (9, 3, 48, 48)
    assert torch.allclose(
        frames[4], image[:, 24:72, 24:72], atol=1e-5
    )  # the sharp target
    assert frames.equal(M.frames_from_motion(image, 9, crop_size=48, generator=gen(5)))
    assert not frames.equal(
        M.frames_from_motion(image, 9, crop_size=48, generator=gen(6))
    )
    with pytest.raises(ValueError, match="n_frames"):
        M.frames_from_motion(image, 4, crop_size=48)
    with pytest.raises(ValueError, match="crop_size"):
        M.frames_from_motion(image, 3, crop_size=200)


def test_random_trajectory_is_centred_and_smooth():
    path = M.random_trajectory(15, speed=2.0, jitter=0.1, generator=gen())
    assert path.shape == (15, 2) and path[7].abs().max() == 0
    step = path.diff(dim=0).norm(dim=1)
    assert step.mean().item() == pytest.approx(
        2.0, rel=0.3
    )  # about `speed` pixels per frame


def test_average_of_identical_frames_is_the_frame():
    frame = astronaut(32)
    frames = frame[None].expand(5, -1, -1, -1)
    assert torch.allclose(M.average_frames(frames), frame)
    assert torch.allclose(M.average_frames(frames, gamma=2.2), frame, atol=1e-6)
    assert M.average_frames(torch.stack([frames, frames])).shape == (2, 3, 32, 32)


def test_averaging_a_horizontal_sweep_is_a_box_blur():
    """Shifts dx = -2..2 average to the 1x5 box PSF, the GoPro model's simplest case."""
    image = astronaut(64, dtype=torch.float64)
    sweep = torch.tensor([[dx, 0.0] for dx in range(-2, 3)], dtype=torch.float64)
    frames = M.frames_from_motion(image, 5, crop_size=32, trajectory=sweep)
    box = torch.full((1, 5), 0.2, dtype=torch.float64)
    assert torch.allclose(
        M.average_frames(frames), B.blur(image, box)[:, 16:48, 16:48], atol=1e-9
    )
    sharp, blurred = frames[2], M.average_frames(frames)
    assert (
        blurred.diff(dim=-1).abs().mean() < 0.8 * sharp.diff(dim=-1).abs().mean()
    )  # fewer edges
    with pytest.raises(ValueError, match="trajectory"):
        M.frames_from_motion(image, 5, crop_size=32, trajectory=sweep[:3])
    assert not math.isnan(M.average_frames(frames, gamma=2.2).sum().item())

"""scratchvision.imaging.classical: chapter 5's non-learned restoration baselines."""

import sys

import numpy as np
import pytest
import scipy.ndimage
import torch
from scratchvision.imaging import blur as B
from scratchvision.imaging import classical as C
from scratchvision.imaging import degrade as D
from scratchvision.metrics import psnr
from skimage import data


def astronaut(size=128, top=100, left=180):
    crop = data.astronaut()[top : top + size, left : left + size]
    return torch.from_numpy(crop).permute(2, 0, 1).float() / 255  # (3, size, size)


def camera(size=64, top=100, left=200):
    crop = data.camera()[top : top + size, left : left + size]
    return torch.from_numpy(crop).float()[None] / 255  # (1, size, size)


def noisy(img, sigma, seed=0):
    return D.add_gaussian_noise(
        img, sigma, generator=torch.Generator().manual_seed(seed)
    )


# ---------------------------------------------------------------- denoising


def test_gaussian_filter_improves_psnr_at_sigma_25():
    clean = astronaut(128)
    y = noisy(clean, 25)
    out = C.gaussian_filter(y, 1.0)
    assert out.shape == y.shape and out.dtype == y.dtype
    assert psnr(out, clean) > psnr(y, clean) + 3
    assert C.gaussian_filter(y[None], 1.0).shape == (1, 3, 128, 128)


def test_median_filter_matches_scipy_and_removes_impulses():
    img = astronaut(32).double()
    ref = np.stack(
        [scipy.ndimage.median_filter(ch, size=3, mode="mirror") for ch in img.numpy()]
    )
    assert np.array_equal(C.median_filter(img, 3).numpy(), ref)
    salt = camera(32).clone()
    salt[0, ::5, ::7] = 1.0  # isolated white impulses
    assert psnr(C.median_filter(salt, 3), camera(32)) > psnr(salt, camera(32)) + 3


@pytest.mark.parametrize(
    "make_clean", [lambda: camera(64), lambda: astronaut(48)], ids=["grey", "rgb"]
)
def test_bm3d_beats_the_best_gaussian_filter(make_clean):
    pytest.importorskip("bm3d")
    clean = make_clean()
    y = noisy(clean, 25)
    best_gaussian = max(
        psnr(C.gaussian_filter(y, s), clean) for s in (0.5, 0.75, 1.0, 1.5, 2.0)
    )
    out = C.bm3d_denoise(y, 25)
    assert out.shape == y.shape and out.min() >= 0 and out.max() <= 1
    assert psnr(out, clean) > best_gaussian + 1, (psnr(out, clean), best_gaussian)


def test_bm3d_names_the_extra_when_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "bm3d", None)  # makes `import bm3d` fail
    with pytest.raises(ImportError, match=r"scratchvision\[imaging\]"):
        C.bm3d_denoise(camera(16), 25)


def test_denoisers_reject_bad_arguments():
    img = camera(16)
    with pytest.raises(ValueError, match="sigma"):
        C.gaussian_filter(img, -1)
    with pytest.raises(ValueError, match="size"):
        C.median_filter(img, 4)
    with pytest.raises(ValueError, match="sigma"):
        C.bm3d_denoise(img, -5)
    with pytest.raises(ValueError, match="img"):
        C.median_filter(img[0], 3)


# ---------------------------------------------------------------- deconvolution


@pytest.mark.parametrize(
    "kernel,balance,iterations",
    [(B.gaussian_kernel(9, 2.0), 0.01, 10), (B.motion_kernel(9, 30), 0.1, 5)],
    ids=["gaussian", "motion"],
)
def test_wiener_and_richardson_lucy_improve_on_the_blurred_input(
    kernel, balance, iterations
):
    clean = astronaut(128)
    y = noisy(B.blur(clean, kernel), 2)
    wiener = C.wiener_deconvolution(y, kernel, balance)
    rl = C.richardson_lucy(y, kernel, iterations)
    for out in (wiener, rl):
        assert (
            out.shape == y.shape
            and out.dtype == y.dtype
            and out.min() >= 0
            and out.max() <= 1
        )
        assert psnr(out, clean) > psnr(y, clean) + 0.5


def test_deconvolution_is_per_image_and_keeps_dtype():
    clean = torch.stack([camera(32), camera(32, top=300)]).double()  # (2, 1, 32, 32)
    k = B.gaussian_kernel(5, 1.0, dtype=torch.float64)
    y = B.blur(clean, k)
    batched = C.richardson_lucy(y, k, 3)
    assert batched.dtype == torch.float64
    assert torch.allclose(batched[1], C.richardson_lucy(y[1], k, 3))


def test_deconvolution_rejects_bad_arguments():
    img = camera(16)
    with pytest.raises(ValueError, match="sum to 1"):
        C.wiener_deconvolution(img, torch.ones(3, 3), 0.1)
    with pytest.raises(ValueError, match="kernel"):
        C.richardson_lucy(img, torch.ones(3) / 3, 5)
    with pytest.raises(ValueError, match="balance"):
        C.wiener_deconvolution(img, B.gaussian_kernel(3, 1.0), 0)
    with pytest.raises(ValueError, match="iterations"):
        C.richardson_lucy(img, B.gaussian_kernel(3, 1.0), 0)


# ---------------------------------------------------------------- super-resolution


def test_bicubic_upsample_is_reused_from_degrade_and_beats_nearest():
    assert (
        C.bicubic_upsample is D.bicubic_upsample
    )  # one implementation, two entry points
    clean = astronaut(96)
    low = D.bicubic_downsample(clean, 3)
    nearest = torch.nn.functional.interpolate(
        low[None], scale_factor=3, mode="nearest"
    )[0]
    assert psnr(C.bicubic_upsample(low, 3), clean) > psnr(nearest, clean) + 0.5

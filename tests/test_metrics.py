"""scratchvision.metrics: accuracy; skimage.metrics as the oracle of PSNR and SSIM;
the perceptual distance, its feature networks and the detail ratio."""

import numpy as np
import pytest
import torch
from scratchvision import metrics as M
from scratchvision.imaging.blur import blur, gaussian_kernel
from skimage import data
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

SKIMAGE_GAUSSIAN = dict(
    data_range=1, gaussian_weights=True, sigma=1.5, use_sample_covariance=False
)


def noisy_pair(name="astronaut", size=96, sigma=0.1, seed=0):
    """(noisy, clean) float64 arrays [C, H, W] from a skimage test image."""
    raw = getattr(data, name)()[100 : 100 + size, 150 : 150 + size] / 255.0
    clean = raw.transpose(2, 0, 1) if raw.ndim == 3 else raw[None]
    noisy = np.clip(
        clean + np.random.default_rng(seed).normal(0, sigma, clean.shape), 0, 1
    )
    return noisy, clean


def t(a, dtype=torch.float64):
    return torch.from_numpy(a).to(dtype)


# ---------------------------------------------------------------- accuracy


def test_accuracy_is_the_share_of_correct_arg_maxes():
    logits = torch.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert M.accuracy(logits, torch.tensor([1, 1, 1])) == pytest.approx(2 / 3)
    assert M.accuracy(logits.softmax(-1), torch.tensor([1, 0, 1])) == 1.0


def test_accuracy_refuses_an_empty_batch_and_mismatched_labels():
    with pytest.raises(ValueError, match="logits must not be empty"):
        M.accuracy(torch.zeros(0, 3), torch.zeros(0, dtype=torch.long))
    with pytest.raises(ValueError, match="one label per row"):
        M.accuracy(torch.zeros(4, 3), torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match="integer class labels"):
        M.accuracy(torch.zeros(4, 3), torch.zeros(4))


# ---------------------------------------------------------------- PSNR


@pytest.mark.parametrize(
    "name,sigma", [("astronaut", 0.02), ("astronaut", 0.1), ("camera", 0.2)]
)
def test_psnr_matches_skimage(name, sigma):
    noisy, clean = noisy_pair(name, sigma=sigma)
    ref = peak_signal_noise_ratio(clean, noisy, data_range=1)
    assert M.psnr(t(noisy), t(clean)).item() == pytest.approx(ref, abs=1e-10)
    assert M.psnr(
        t(noisy, torch.float32), t(clean, torch.float32)
    ).item() == pytest.approx(ref, abs=1e-3)
    assert M.psnr(
        t(noisy) * 255, t(clean) * 255, data_range=255
    ).item() == pytest.approx(ref, abs=1e-9)


def test_psnr_batched_reduction_and_identity():
    pairs = [noisy_pair(sigma=s, seed=i) for i, s in enumerate((0.05, 0.1, 0.2))]
    pred, target = (torch.stack([t(p[j]) for p in pairs]) for j in (0, 1))
    per_image = M.psnr(pred, target, reduction="none")
    refs = [peak_signal_noise_ratio(c, n, data_range=1) for n, c in pairs]
    assert per_image.shape == (3,) and np.allclose(per_image.numpy(), refs)
    assert M.psnr(pred, target).item() == pytest.approx(float(np.mean(refs)))
    assert M.psnr(target, target, reduction="none").isinf().all()


def test_psnr_gradient_matches_finite_differences_of_skimage():
    noisy, clean = noisy_pair("camera", size=24)
    x = t(noisy).requires_grad_()
    M.psnr(x, t(clean)).backward()
    for c, i, j in [(0, 3, 4), (0, 12, 12), (0, 20, 1)]:
        bump = np.zeros_like(noisy)
        bump[c, i, j] = 1e-6
        up = peak_signal_noise_ratio(clean, noisy + bump, data_range=1)
        down = peak_signal_noise_ratio(clean, noisy - bump, data_range=1)
        assert x.grad[c, i, j].item() == pytest.approx((up - down) / 2e-6, rel=1e-4)


# ---------------------------------------------------------------- SSIM


@pytest.mark.parametrize(
    "name,sigma", [("astronaut", 0.05), ("astronaut", 0.2), ("camera", 0.1)]
)
def test_ssim_matches_skimage_gaussian_window(name, sigma):
    noisy, clean = noisy_pair(name, sigma=sigma)
    ref = structural_similarity(clean, noisy, channel_axis=0, **SKIMAGE_GAUSSIAN)
    assert M.ssim(t(noisy), t(clean)).item() == pytest.approx(ref, abs=1e-10)
    assert M.ssim(
        t(noisy, torch.float32), t(clean, torch.float32)
    ).item() == pytest.approx(ref, abs=1e-4)


def test_ssim_matches_skimage_default_uniform_window():
    noisy, clean = noisy_pair(sigma=0.1)
    ref = structural_similarity(clean, noisy, channel_axis=0, data_range=1)
    assert M.ssim(t(noisy), t(clean), gaussian_weights=False).item() == pytest.approx(
        ref, abs=1e-10
    )


def test_ssim_batched_identity_and_non_square():
    pairs = [noisy_pair(sigma=s, seed=i) for i, s in enumerate((0.05, 0.3))]
    pred, target = (torch.stack([t(p[j][:, :40, :70]) for p in pairs]) for j in (0, 1))
    per_image = M.ssim(pred, target, reduction="none")
    refs = [
        structural_similarity(
            c[:, :40, :70], n[:, :40, :70], channel_axis=0, **SKIMAGE_GAUSSIAN
        )
        for n, c in pairs
    ]
    assert per_image.shape == (2,) and np.allclose(per_image.numpy(), refs)
    assert per_image[0] > per_image[1]  # more noise, less similar
    assert M.ssim(target, target).item() == pytest.approx(1.0)


def test_ssim_gradient_matches_finite_differences_of_skimage():
    noisy, clean = noisy_pair("camera", size=24)
    x = t(noisy).requires_grad_()
    M.ssim(x, t(clean)).backward()
    for c, i, j in [(0, 3, 4), (0, 12, 12), (0, 20, 1)]:
        bump = np.zeros_like(noisy)
        bump[c, i, j] = 1e-6
        up = structural_similarity(
            clean, noisy + bump, channel_axis=0, **SKIMAGE_GAUSSIAN
        )
        down = structural_similarity(
            clean, noisy - bump, channel_axis=0, **SKIMAGE_GAUSSIAN
        )
        assert x.grad[c, i, j].item() == pytest.approx(
            (up - down) / 2e-6, rel=1e-4, abs=1e-7
        )


def test_metrics_reject_bad_input():
    x = torch.rand(3, 16, 16)
    with pytest.raises(ValueError, match="same shape"):
        M.psnr(x, torch.rand(3, 16, 17))
    with pytest.raises(ValueError, match="reduction"):
        M.ssim(x, x, reduction="sum")
    with pytest.raises(ValueError, match="data_range"):
        M.psnr(x, x, data_range=0)
    with pytest.raises(ValueError, match="at least 11x11"):
        M.ssim(torch.rand(3, 10, 16), torch.rand(3, 10, 16))
    with pytest.raises(ValueError, match="pred"):
        M.psnr(torch.rand(16, 16), torch.rand(16, 16))


@pytest.mark.parametrize("metric", [M.psnr, M.ssim, M.perceptual_distance])
def test_metrics_refuse_what_would_average_to_nan(metric):
    x = torch.rand(2, 3, 16, 16)
    with pytest.raises(ValueError, match="pred must not be empty"):
        metric(x[:0], x[:0])
    nan = x.clone()
    nan[0, 0, 0, 0] = float("nan")
    with pytest.raises(ValueError, match="target must be finite"):
        metric(x, nan)


def test_psnr_refuses_a_nan_data_range():
    x = torch.rand(3, 16, 16)
    with pytest.raises(ValueError, match="data_range must be a finite number"):
        M.psnr(x, x, data_range=float("nan"))


# ---------------------------------------------------------------- perceptual distance


def test_perceptual_distance_zero_symmetric_and_batched():
    noisy, clean = (t(a, torch.float32) for a in noisy_pair(size=64))
    assert M.perceptual_distance(clean, clean).item() == 0
    d = M.perceptual_distance(noisy, clean)
    assert d > 0 and d.item() == pytest.approx(
        M.perceptual_distance(clean, noisy).item(), rel=1e-6
    )
    both = M.perceptual_distance(
        torch.stack([noisy, clean]), torch.stack([clean, clean]), reduction="none"
    )
    assert (
        both.shape == (2,)
        and both[0].item() == pytest.approx(d.item(), rel=1e-5)
        and both[1] == 0
    )


def test_perceptual_distance_grows_with_noise_level():
    clean = t(noisy_pair(size=64)[1], torch.float32)
    noise = torch.randn(clean.shape, generator=torch.Generator().manual_seed(0))
    sigmas = [5, 10, 15, 25, 35, 50]
    dists = [
        M.perceptual_distance((clean + s / 255 * noise).clamp(0, 1), clean).item()
        for s in sigmas
    ]
    assert all(a < b for a, b in zip(dists, dists[1:])), dists


def test_perceptual_distance_is_differentiable_and_accepts_features():
    noisy, clean = (t(a, torch.float32) for a in noisy_pair(size=32))
    x = noisy.clone().requires_grad_()
    M.perceptual_distance(x, clean).backward()
    assert x.grad.abs().sum() > 0 and x.grad.isfinite().all()
    # identity "features": channel-normalised pixels, one layer
    ours = M.perceptual_distance(noisy, clean, features=lambda im: [im])
    unit = [
        torch.nn.functional.normalize(im, dim=0, eps=1e-10) for im in (noisy, clean)
    ]
    assert ours.item() == pytest.approx(
        (unit[0] - unit[1]).pow(2).sum(0).mean().item(), rel=1e-5
    )


def test_random_features_are_fixed_and_multiscale():
    img = torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    feats = M.random_features(img)
    assert [f.shape for f in feats] == [(2, 16, 32, 32), (2, 32, 16, 16), (2, 64, 8, 8)]
    assert all(
        a.equal(b) for a, b in zip(feats, M.random_features(img))
    )  # same weights every call
    assert not feats[0].equal(M.random_features(img, seed=1)[0])


def test_vgg16_features_offline_paths(tmp_path, monkeypatch):
    feats = M.vgg16_features(weights=None)(torch.rand(1, 3, 32, 32))
    assert [f.shape[1] for f in feats] == [64, 128, 256, 512, 512]
    assert [f.shape[-1] for f in feats] == [32, 16, 8, 4, 2]
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))  # an empty cache
    with pytest.raises(FileNotFoundError, match="download=True"):
        M.vgg16_features("IMAGENET1K_V1")
    with pytest.raises(ValueError, match="weights"):
        M.vgg16_features("DEFAULT")


# ---------------------------------------------------------------- detail ratio


def test_detail_ratio_is_one_for_the_target_below_for_blur_above_for_noise():
    g = torch.Generator().manual_seed(0)
    target = torch.rand(2, 3, 16, 16, generator=g)
    assert M.detail_ratio(target, target).item() == pytest.approx(1.0)
    assert M.detail_ratio(blur(target, gaussian_kernel(5, 1.5)), target) < 0.5
    noisy = (target + 0.2 * torch.randn(target.shape, generator=g)).clamp(0, 1)
    assert M.detail_ratio(noisy, target) > 1
    assert M.detail_ratio(torch.full_like(target, 0.5), target) < 1e-5, (
        "a flat image has no detail"
    )

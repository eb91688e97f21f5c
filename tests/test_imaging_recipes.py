"""Chapter-5 recipes: simulated pairs, the restoration trainer, held-out scores.

``R`` is ``imaging.recipes``, the index of names the zoo cards use.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scratchvision import zoo
from scratchvision.data.natural import natural_images, natural_split
from scratchvision.imaging import recipes as R
from scratchvision.imaging.benchmark import metrics_benchmark
from scratchvision.imaging.blur import blur
from scratchvision.imaging.losses import multiscale_loss
from scratchvision.imaging.motion import (
    average_frames,
    frames_from_motion,
    random_trajectory,
)
from scratchvision.imaging.unet import UNet
from scratchvision.metrics import psnr
from skimage.metrics import peak_signal_noise_ratio
from torch import nn


def patches(b=4, c=1, size=40, seed=0):
    g = torch.Generator().manual_seed(seed)
    return F.interpolate(
        torch.rand(b, c, 8, 8, generator=g), size=(size, size), mode="bilinear"
    )


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


# ---- pair functions ----


def test_noise_pair_fixed_sigma_has_that_standard_deviation():
    clean = patches(b=8, size=64)
    noisy, target = R.noise_pair(clean, sigma=25, generator=gen())
    assert target is clean and noisy.shape == clean.shape
    assert (noisy - clean).std().item() == pytest.approx(25 / 255, rel=0.03)


def test_noise_pair_range_draws_one_sigma_per_image_inside_it():
    clean = patches(b=16, size=64)
    noisy, _ = R.noise_pair(clean, sigma=[5, 55], generator=gen())
    stds = (noisy - clean).flatten(1).std(dim=1) * 255  # (B,)
    assert stds.min() > 4 and stds.max() < 57
    assert stds.max() - stds.min() > 15, (
        "a range must give different noise levels to different images"
    )
    with pytest.raises(ValueError, match="sigma"):
        R.noise_pair(clean, sigma=[5, 25, 55])
    with pytest.raises(ValueError, match="sigma"):
        R.noise_pair(clean, sigma=[30, 10])


def test_pairs_are_reproducible_from_the_generator():
    clean = patches()
    a, _ = R.noise_pair(clean, sigma=[5, 55], generator=gen(3))
    b, _ = R.noise_pair(clean, sigma=[5, 55], generator=gen(3))
    assert torch.equal(a, b)


def test_poisson_pair_noise_grows_with_brightness():
    dark, bright = torch.full((1, 1, 64, 64), 0.1), torch.full((1, 1, 64, 64), 0.9)
    noisy, _ = R.poisson_noise_pair(
        torch.cat([dark, bright]), photons=100, generator=gen()
    )
    std_dark, std_bright = (
        (noisy[i] - v).std().item() for i, v in enumerate((0.1, 0.9))
    )
    assert std_bright == pytest.approx((0.9 / 100) ** 0.5, rel=0.1)
    assert std_bright > 2 * std_dark


def test_motion_blur_pair_shapes_and_zero_speed_is_the_centre_crop():
    clean = patches(b=3, c=3, size=48)
    blurred, sharp = R.motion_blur_pair(
        clean, n_frames=5, speed=[0.5, 1.5], jitter=0.2, margin=8, generator=gen()
    )
    assert blurred.shape == sharp.shape == (3, 3, 32, 32)
    assert torch.allclose(sharp, clean[..., 8:-8, 8:-8], atol=1e-5), (
        "the middle frame must be the sharp crop"
    )
    assert not torch.allclose(blurred, sharp, atol=1e-3)
    still, _ = R.motion_blur_pair(
        clean, n_frames=5, speed=0, jitter=0, margin=8, generator=gen()
    )
    assert torch.allclose(still, clean[..., 8:-8, 8:-8], atol=1e-5), (
        "a still camera must not blur"
    )


def test_trajectory_psf_makes_blur_equal_frame_averaging():
    """Oracle: PSF convolution = averaging the shifted frames, away from the border."""
    image = patches(b=1, c=1, size=64)[0]
    trajectory = random_trajectory(9, speed=1.3, jitter=0.4, generator=gen(1))
    averaged = average_frames(
        frames_from_motion(image, 9, crop_size=64, trajectory=trajectory)
    )  # (1, 64, 64)
    psf = R.trajectory_psf(trajectory)
    assert (
        psf.shape[0] % 2 == 1
        and psf.sum().item() == pytest.approx(1.0)
        and (psf >= 0).all()
    )
    m = psf.shape[0]
    convolved = blur(image, psf)
    assert torch.allclose(
        convolved[..., m:-m, m:-m], averaged[..., m:-m, m:-m], atol=1e-5
    )


def test_bicubic_pair_and_resolve_by_import_path():
    pair = R.resolve_pair("scratchvision.imaging.recipes:bicubic_pair")
    low, high = pair(patches(b=2, c=3, size=48), scale=4)
    assert low.shape == (2, 3, 12, 12) and high.shape == (2, 3, 48, 48)


# ---- losses, outputs, evaluation ----


def test_restoration_loss_handles_images_and_coarse_to_fine_lists():
    x, y = patches(seed=1), patches(seed=2)
    assert R.restoration_loss(x, y, loss="l2").item() == pytest.approx(
        F.mse_loss(x, y).item()
    )
    assert R.restoration_loss(x, y).item() == pytest.approx(F.l1_loss(x, y).item())
    scales = [F.avg_pool2d(x, 2), x]
    assert R.restoration_loss(scales, y).item() == pytest.approx(
        multiscale_loss(scales, y).item()
    )
    with pytest.raises(ValueError, match="loss must be one of"):
        R.restoration_loss(x, y, loss="huber")


class TwoScales(nn.Module):
    def forward(self, x):
        return [F.avg_pool2d(x, 2), 2 * x]


def test_restore_is_batched_clamped_and_takes_the_last_scale():
    x = patches(b=5)
    assert torch.equal(R.restore(TwoScales(), x), (2 * x).clamp(0, 1))
    net = UNet(in_channels=1, out_channels=1, widths=(4, 8))
    nn.init.normal_(net.head.weight, std=0.1)
    assert torch.allclose(
        R.restore(net, x, batch_size=2), R.restore(net, x, batch_size=16), atol=1e-6
    )


def test_heldout_pairs_are_fixed_and_identity_scores_as_skimage_psnr():
    kwargs = dict(
        degrade=R.noise_pair,
        degrade_kwargs={"sigma": 25},
        n_crops=3,
        size=48,
        gray=True,
    )
    noisy, clean = R.heldout_pairs(**kwargs)
    again, _ = R.heldout_pairs(**kwargs)
    assert torch.equal(noisy, again) and noisy.shape == (3, 1, 48, 48)
    scores = R.eval_restorer(nn.Identity(), **kwargs)
    reference = np.mean(
        [
            peak_signal_noise_ratio(
                c[0].numpy(), n[0].clamp(0, 1).numpy(), data_range=1
            )
            for c, n in zip(clean, noisy)
        ]
    )
    assert scores["psnr"] == pytest.approx(reference, abs=1e-3)
    assert 0 < scores["ssim"] < 1


def test_benchmark_methods_rows():
    noisy, clean = R.noise_pair(patches(b=2, size=32), sigma=25, generator=gen())
    rows = R.benchmark_methods(
        {"input": lambda x: x, "perfect": lambda x: clean}, noisy, clean
    )
    assert [r["method"] for r in rows] == ["input", "perfect"]
    assert rows[0]["psnr"] == pytest.approx(psnr(noisy.clamp(0, 1), clean).item())
    assert rows[1]["psnr"] == float("inf") and rows[1]["ssim"] == pytest.approx(1.0)
    assert rows[0]["s_per_mpix"] == pytest.approx(
        rows[0]["seconds"] / (2 * 32 * 32 / 1e6)
    )


# ---- training ----


def test_train_restorer_learns_to_denoise_held_out_crops():
    """40 steps on a training photo already beat the noisy input on held-out photos."""
    net = UNet(in_channels=1, out_channels=1, widths=(8, 16))
    log = R.train_restorer(
        net,
        degrade="scratchvision.imaging.recipes:noise_pair",
        degrade_kwargs={"sigma": 50},
        loss="l2",
        steps=40,
        epochs=2,
        batch_size=8,
        patch_size=32,
        lr=1e-2,
        gray=True,
        names=["coins"],
    )
    assert (
        sorted(log) == ["seconds", "train_loss", "train_psnr"]
        and len(log["train_loss"]) == 2
    )
    evaluation = dict(
        degrade=R.noise_pair,
        degrade_kwargs={"sigma": 50},
        n_crops=4,
        size=48,
        gray=True,
    )
    trained, untrained = (
        R.eval_restorer(net, **evaluation),
        R.eval_restorer(nn.Identity(), **evaluation),
    )
    assert trained["psnr"] > untrained["psnr"] + 3, (trained, untrained)


def test_train_restorer_refuses_held_out_photos_and_uneven_epochs():
    net = UNet(in_channels=1, out_channels=1, widths=(4,))
    with pytest.raises(ValueError, match="held-out"):
        R.train_restorer(net, degrade=R.noise_pair, names=["astronaut"], gray=True)
    with pytest.raises(ValueError, match="multiple of epochs"):
        R.train_restorer(
            net, degrade=R.noise_pair, steps=7, epochs=2, names=["coins"], gray=True
        )


# ---- the zoo's checkpoints (lessons 5.1 and 5.3) ----


@pytest.mark.parametrize(
    "name, baseline_margin", [("denoise-unet", 4.0), ("deblur-unet", 0.3)]
)
def test_zoo_restorer_recomputes_its_held_out_psnr(name, baseline_margin):
    """Each card's held-out PSNR is re-measured and beats doing nothing clearly (dB)."""
    entry = zoo.card(name)
    scores = zoo.evaluate(name)
    assert scores["psnr"] == pytest.approx(entry["metrics"]["psnr"], abs=0.01)
    assert scores["ssim"] == pytest.approx(entry["metrics"]["ssim"], abs=0.01)
    untouched = R.eval_restorer(nn.Identity(), **entry["evaluate_kwargs"])
    assert scores["psnr"] > untouched["psnr"] + baseline_margin, (scores, untouched)


def test_denoise_benchmark_rows():
    pytest.importorskip("bm3d")
    rows = R.denoise_benchmark(sigmas=(25,), n_crops=1, size=48)
    assert [(r["sigma"], r["method"]) for r in rows] == [
        (25, "U-Net (denoise-unet)"),
        (25, "BM3D"),
    ]
    assert all(r["psnr"] > 25 and r["s_per_mpix"] > 0 for r in rows)


# ---- exercise checkers of lessons 5.1 and 5.3 ----


def test_noise_sigma_checker(capsys):
    from scratchvision import checks

    def numpy_mad(
        noisy,
    ):  # a reader's NumPy version: np.median averages the two middle values
        x = noisy[..., : noisy.shape[-2] // 2 * 2, : noisy.shape[-1] // 2 * 2].numpy()
        hh = (
            x[..., ::2, ::2]
            - x[..., ::2, 1::2]
            - x[..., 1::2, ::2]
            + x[..., 1::2, 1::2]
        ) / 2
        return float(np.median(np.abs(hh)) / 0.6745 * 255)

    assert checks.noise_sigma(numpy_mad)
    assert not checks.noise_sigma(lambda noisy: float(noisy.std() * 255)), (
        "the image's own std is not the noise"
    )
    assert "✗ noise_sigma" in capsys.readouterr().out


def test_wiener_filter_checker_inverts_a_circular_blur(capsys):
    from scratchvision import checks
    from scratchvision.imaging.blur import gaussian_kernel

    image, kernel = patches(b=1, c=1, size=32)[0], gaussian_kernel(5, 1.0)
    padded = torch.zeros(32, 32)
    padded[:5, :5] = kernel
    K = torch.fft.fft2(torch.roll(padded, (-2, -2), dims=(0, 1)))
    blurred = torch.fft.ifft2(K * torch.fft.fft2(image)).real
    assert torch.allclose(
        checks._wiener_filter(blurred, kernel, 1e-8), image, atol=1e-3
    )
    assert checks.wiener_filter(checks._wiener_filter)
    assert not checks.wiener_filter(lambda blurred, kernel, nsr: blurred)
    assert "✗ wiener_filter" in capsys.readouterr().out


def test_average_frames_checker(capsys):
    from scratchvision import checks

    assert checks.average_frames(average_frames)
    assert not checks.average_frames(lambda frames, gamma=None: frames.mean(0)), (
        "gamma must be undone first"
    )
    assert "✗ average_frames" in capsys.readouterr().out


def test_shake_checks_one_path_per_patch_and_adds_noise():
    clean = patches(b=2, size=40)
    still = [torch.zeros(3, 2), torch.zeros(3, 2)]
    blurred, sharp = R.shake(clean, still, margin=4, noise_sigma=10, generator=gen())
    assert blurred.shape == sharp.shape == (2, 1, 32, 32)
    assert (blurred - sharp).std().item() == pytest.approx(10 / 255, rel=0.1), (
        "a still camera: only the noise"
    )
    with pytest.raises(ValueError, match="one path per patch"):
        R.shake(clean, still[:1], margin=4)


def test_metrics_benchmark_rows():
    rows = metrics_benchmark(size=48, repeats=1)
    assert [r["metric"] for r in rows] == ["psnr", "ssim"]
    assert all(
        r["ours_ms"] > 0 and r["skimage_ms"] > 0 and r["ratio"] > 0 for r in rows
    )


def test_heldout_crops_are_distinct_tiles_of_the_held_out_photos():
    tiles = R.heldout_crops(64, 64, gray=True)
    assert tiles.shape == (64, 1, 64, 64)
    assert torch.equal(tiles, R.heldout_crops(64, 64, gray=True)), "fixed"
    flat = tiles.flatten(1)
    assert len({tuple(t.tolist()[:64]) for t in flat}) == 64, "no tile twice"
    photos = natural_images(gray=True, names=natural_split()[1]).values()
    grid = {
        tuple(p[0, top : top + 64, left : left + 64].flatten()[:64].tolist())
        for p in photos
        for top in range(0, p.shape[1] - 63, 64)
        for left in range(0, p.shape[2] - 63, 64)
    }
    assert all(tuple(t.tolist()[:64]) in grid for t in flat), "on the tile grid"
    with pytest.raises(ValueError, match="at most the"):
        R.heldout_crops(10_000, 64)


def test_crop_scores_give_one_score_per_crop():
    noisy, clean = R.noise_pair(patches(b=3, size=32), sigma=25, generator=gen())
    scores = R.crop_scores(noisy, clean, perceptual=True)
    assert set(scores) == {"psnr", "ssim", "perceptual", "detail"}
    assert all(v.shape == (3,) for v in scores.values())
    torch.testing.assert_close(
        scores["psnr"], psnr(noisy.clamp(0, 1), clean, reduction="none")
    )
    assert (scores["detail"] > 1).all(), "noise adds 'detail'"

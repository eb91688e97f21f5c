"""The chapter 5 networks: scratchvision.imaging.unet, .restorers, .discriminator."""

import pytest
import torch
import torch.nn.functional as F
from scratchvision.imaging.degrade import bicubic_upsample
from scratchvision.imaging.discriminator import PatchGAN, patchgan_small
from scratchvision.imaging.losses import gan_d_loss, l2_loss, multiscale_loss
from scratchvision.imaging.restorers import (
    PixelShuffleSR,
    ResidualDenoiser,
    denoiser_small,
    pixel_shuffle,
    pixel_unshuffle,
    sr_small,
)
from scratchvision.imaging.unet import (
    MultiScaleUNet,
    UNet,
    image_pyramid,
    multiscale_unet_small,
    unet_small,
)


def smooth_images(b=4, c=3, h=32, w=32, seed=0):
    """Images in [0, 1] with structure at several scales: upsampled coarse noise."""
    g = torch.Generator().manual_seed(seed)
    return F.interpolate(
        torch.rand(b, c, 8, 8, generator=g), size=(h, w), mode="bilinear"
    )


def noisy_pair(sigma=0.1, seed=0):
    clean = smooth_images(seed=seed)
    noise = torch.randn(clean.shape, generator=torch.Generator().manual_seed(seed + 1))
    return clean + sigma * noise, clean


def overfit(model, loss_fn, steps, lr=3e-3):
    """Train on one fixed batch; return the first and the last loss."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        loss = loss_fn(model)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses[0], losses[-1]


# --- U-Net ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options,out_channels",
    [
        ({}, 3),
        ({"skips": False}, 3),
        ({"widths": (8,)}, 3),
        ({"widths": (4, 8, 8, 8)}, 3),
        ({"residual": False, "out_channels": 1}, 1),
        ({"in_channels": 3, "out_channels": 2}, 2),
    ],
)
@pytest.mark.parametrize("size", [(32, 32), (37, 45), (5, 3)])
def test_unet_keeps_any_size(options, out_channels, size):
    out = UNet(**options)(torch.rand(2, 3, *size))
    assert out.shape == (2, out_channels, *size)


def test_the_unet_is_the_shared_block_under_every_old_name():
    import scratchvision.imaging as imaging
    from scratchvision import blocks, zoo

    assert UNet is blocks.UNet is imaging.UNet
    assert zoo.resolve(zoo.card("denoise-unet")["builder"]) is blocks.UNet


def test_unet_small_preset_shape():
    assert unet_small()(torch.rand(1, 3, 37, 45)).shape == (1, 3, 37, 45)


def test_unet_batched_equals_per_sample():
    torch.manual_seed(0)
    model, x = (
        UNet(widths=(8, 16), residual=False),
        torch.rand(3, 3, 19, 22),
    )  # no zero head
    per_sample = torch.cat([model(x[i : i + 1]) for i in range(3)])
    torch.testing.assert_close(model(x), per_sample)


def test_untrained_residual_unet_is_the_identity_on_the_image_channels():
    x = torch.rand(2, 5, 21, 30)
    torch.testing.assert_close(
        UNet(in_channels=5, out_channels=3, widths=(8, 16))(x), x[:, :3], rtol=0, atol=0
    )
    assert UNet(widths=(8, 16), residual=False)(x[:, :3]).abs().sum() > 0, (
        "only residual heads start at zero"
    )


@pytest.mark.parametrize("skips", [True, False])
def test_unet_skips_are_the_only_path_around_the_bottleneck(skips):
    """Cut the upsampling path: only a U-Net with skips still sees its input."""
    model = UNet(widths=(8, 16), residual=False, skips=skips)
    with torch.no_grad():
        for upsample in model.upsample:
            upsample.weight.zero_()
            upsample.bias.zero_()
    a, b = model(torch.rand(1, 3, 16, 16)), model(torch.rand(1, 3, 16, 16))
    assert torch.equal(a, b) != skips


# --- multi-scale U-Net ----------------------------------------------------------------


@pytest.mark.parametrize("n_scales", [1, 3])
def test_multiscale_unet_returns_one_output_per_scale(n_scales):
    outputs = MultiScaleUNet(widths=(8, 16), n_scales=n_scales)(
        torch.rand(2, 3, 37, 45)
    )
    expected = [(2, 3, 37 >> k, 45 >> k) for k in reversed(range(n_scales))]
    assert [tuple(o.shape) for o in outputs] == expected


def test_multiscale_preset_matches_image_pyramid_sizes():
    x = torch.rand(1, 3, 48, 40)
    outputs = multiscale_unet_small()(x)
    assert [o.shape for o in outputs] == [p.shape for p in image_pyramid(x, n_scales=3)]


def test_untrained_multiscale_unet_returns_the_input_pyramid():
    x = torch.rand(2, 3, 37, 45)
    for out, level in zip(
        MultiScaleUNet(widths=(8,))(x), image_pyramid(x, n_scales=3), strict=True
    ):
        torch.testing.assert_close(out, level, rtol=0, atol=0)


def test_image_pyramid_of_a_constant_image_is_constant():
    levels = image_pyramid(torch.full((1, 2, 17, 16), 0.3), n_scales=3)
    assert [lvl.shape[-2:] for lvl in levels] == [(4, 4), (8, 8), (17, 16)]
    for level in levels:
        torch.testing.assert_close(level, torch.full_like(level, 0.3))


# --- residual denoiser and pixel-shuffle SR -------------------------------------------


def test_denoiser_shapes():
    assert denoiser_small()(torch.rand(2, 3, 37, 45)).shape == (2, 3, 37, 45)
    assert ResidualDenoiser(channels=1, width=8, depth=2)(
        torch.rand(1, 1, 9, 7)
    ).shape == (1, 1, 9, 7)


def test_denoiser_returns_input_when_predicted_noise_is_zero():
    model, noisy = ResidualDenoiser(width=8, depth=4), torch.rand(2, 3, 16, 12)
    assert (model.noise(noisy) == 0).all(), (
        "the noise estimator's last conv starts at zero"
    )
    torch.testing.assert_close(model(noisy), noisy, rtol=0, atol=0)


def test_denoiser_subtracts_the_predicted_noise():
    torch.manual_seed(0)
    model, noisy = ResidualDenoiser(width=8, depth=4), torch.rand(2, 3, 16, 12)
    torch.nn.init.normal_(model.noise[-1].weight, std=0.1)
    noise = model.noise(noisy)
    assert noise.abs().mean() > 1e-3
    torch.testing.assert_close(model(noisy), noisy - noise)


@pytest.mark.parametrize("r", [1, 2, 3, 4])
def test_pixel_shuffle_matches_torch_values_and_grads(r):
    x = torch.randn(
        2,
        3 * r * r,
        5,
        4,
        dtype=torch.float64,
        generator=torch.Generator().manual_seed(r),
    )
    probe = torch.randn(2, 3, 5 * r, 4 * r, dtype=torch.float64)
    ours, theirs = x.clone().requires_grad_(), x.clone().requires_grad_()
    out, ref = pixel_shuffle(ours, r), F.pixel_shuffle(theirs, r)
    torch.testing.assert_close(out, ref)
    (out * probe).sum().backward()
    (ref * probe).sum().backward()
    torch.testing.assert_close(ours.grad, theirs.grad)


@pytest.mark.parametrize("r", [2, 3])
def test_pixel_unshuffle_matches_torch_and_inverts_shuffle(r):
    image = torch.randn(2, 3, 6 * r, 5 * r)
    torch.testing.assert_close(pixel_unshuffle(image, r), F.pixel_unshuffle(image, r))
    assert torch.equal(pixel_shuffle(pixel_unshuffle(image, r), r), image)
    channels = torch.randn(2, 3 * r * r, 4, 5)
    assert torch.equal(pixel_unshuffle(pixel_shuffle(channels, r), r), channels)


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_sr_upscales_odd_sizes(scale):
    out = PixelShuffleSR(scale=scale, width=8, n_blocks=1)(torch.rand(2, 3, 11, 13))
    assert out.shape == (2, 3, 11 * scale, 13 * scale)
    assert sr_small(scale)(torch.rand(1, 3, 8, 8)).shape == (1, 3, 8 * scale, 8 * scale)


def test_untrained_sr_is_the_bicubic_baseline():
    model, low_res = (
        PixelShuffleSR(scale=3, width=8, n_blocks=1),
        torch.rand(2, 3, 7, 9),
    )
    torch.testing.assert_close(
        model(low_res), bicubic_upsample(low_res, 3), rtol=0, atol=0
    )


# --- PatchGAN -------------------------------------------------------------------------


@pytest.mark.parametrize("spectral_norm", [False, True])
def test_patchgan_logit_map_shape(spectral_norm):
    logits = PatchGAN(width=8, spectral_norm=spectral_norm)(torch.rand(2, 3, 64, 48))
    assert logits.shape == (2, 1, 64 // 8 - 2, 48 // 8 - 2)
    assert patchgan_small(in_channels=6)(torch.rand(1, 6, 64, 64)).shape == (1, 1, 6, 6)


@pytest.mark.parametrize("n_layers,field", [(1, 16), (2, 34), (3, 70), (4, 142)])
def test_patchgan_receptive_field_matches_pix2pix(n_layers, field):
    assert PatchGAN(n_layers=n_layers).receptive_field == field


@pytest.mark.parametrize("n_layers", [1, 2, 3])
def test_patchgan_receptive_field_empirically(n_layers):
    """Input pixels that move an interior logit: a square of side receptive_field."""
    torch.manual_seed(0)
    model = PatchGAN(width=4, n_layers=n_layers).double()
    size = 2 * model.receptive_field
    x = torch.rand(1, 3, size, size, dtype=torch.float64, requires_grad=True)
    logits = model(x)  # (1, 1, h, w)
    logits[0, 0, logits.shape[-2] // 2, logits.shape[-1] // 2].backward()
    rows, cols = x.grad.abs().sum(dim=(0, 1)).nonzero(as_tuple=True)
    assert rows.min() > 0 and rows.max() < size - 1, (
        "the field must not touch the border"
    )
    assert rows.max() - rows.min() + 1 == model.receptive_field
    assert cols.max() - cols.min() + 1 == model.receptive_field


def test_patchgan_min_input_size():
    model = PatchGAN(width=4, n_layers=3)
    assert model.min_input_size == 24
    assert model(torch.rand(1, 3, 24, 24)).shape == (1, 1, 1, 1)
    with pytest.raises(ValueError, match=r"\bx\b.*>= 24"):
        model(torch.rand(1, 3, 23, 40))


# --- one-batch overfit ----------------------------------------------------------------
# The restorers start at their baseline (identity or bicubic), so "first" is the
# baseline's loss.


def test_unet_overfits_one_batch():
    torch.manual_seed(0)
    noisy, clean = noisy_pair()
    first, last = overfit(
        UNet(widths=(8, 16)), lambda m: l2_loss(m(noisy), clean), steps=100
    )
    assert last < first / 1.5, (
        f"UNet loss fell only from {first:.4f} to {last:.4f} in 100 steps"
    )


def test_multiscale_unet_overfits_one_batch():
    torch.manual_seed(0)
    noisy, clean = noisy_pair()
    model = MultiScaleUNet(widths=(16,), n_scales=3)
    first, last = overfit(
        model, lambda m: multiscale_loss(m(noisy), clean, loss=l2_loss), steps=60
    )
    assert last < first / 2, (
        f"MultiScaleUNet loss fell only from {first:.4f} to {last:.4f} in 60 steps"
    )


def test_denoiser_overfits_fixed_noisy_batch():
    torch.manual_seed(0)
    noisy, clean = noisy_pair()
    first, last = overfit(
        ResidualDenoiser(width=16, depth=5),
        lambda m: l2_loss(m(noisy), clean),
        steps=50,
    )
    assert last < first / 3, (
        f"denoiser loss fell only from {first:.4f} to {last:.4f} in 50 steps"
    )


def test_sr_overfits_one_batch():
    torch.manual_seed(0)
    clean = smooth_images()
    low_res = F.interpolate(
        clean, size=16, mode="bilinear", antialias=True
    )  # (4, 3, 16, 16)
    model = PixelShuffleSR(scale=2, width=16, n_blocks=2)
    first, last = overfit(
        model, lambda m: l2_loss(m(low_res), clean), steps=100, lr=1e-3
    )
    assert last < first / 4, (
        f"SR loss fell only from {first:.5f} to {last:.5f} in 100 steps"
    )


def test_patchgan_learns_to_tell_clean_from_noisy():
    torch.manual_seed(0)
    noisy, clean = noisy_pair()
    model = PatchGAN(width=8, n_layers=2)
    first, last = overfit(model, lambda m: gan_d_loss(m(clean), m(noisy)), steps=60)
    assert last < first / 5, (
        f"PatchGAN loss fell only from {first:.4f} to {last:.4f} in 60 steps"
    )


# --- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build,name",
    [
        (lambda: UNet(widths=()), "widths"),
        (lambda: UNet(widths=(16, 0)), r"widths\[1\]"),
        (lambda: UNet(in_channels=3, out_channels=4), "out_channels"),
        (lambda: MultiScaleUNet(n_scales=0), "n_scales"),
        (lambda: ResidualDenoiser(depth=1), "depth"),
        (lambda: PixelShuffleSR(scale=5), "scale"),
        (lambda: PixelShuffleSR(scale=2.0), "scale"),
        (lambda: PatchGAN(n_layers=0), "n_layers"),
        (lambda: pixel_shuffle(torch.rand(1, 5, 2, 2), 2), "x"),
        (lambda: pixel_shuffle(torch.rand(1, 4, 2, 2), 0), "r"),
        (lambda: pixel_unshuffle(torch.rand(1, 1, 5, 4), 2), "x"),
        (lambda: image_pyramid(torch.rand(1, 3, 3, 8), n_scales=3), "image"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(build, name):
    with pytest.raises(ValueError, match=rf"\b{name}"):
        build()


@pytest.mark.parametrize(
    "model,name",
    [
        (UNet(widths=(4,)), "x"),
        (MultiScaleUNet(widths=(4,)), "x"),
        (ResidualDenoiser(width=4, depth=2), "noisy"),
        (PixelShuffleSR(width=4, n_blocks=0), "low_res"),
        (PatchGAN(width=4), "x"),
    ],
)
@pytest.mark.parametrize("shape", [(1, 1, 32, 32), (3, 32, 32)])
def test_wrong_channels_or_rank_raise_value_error(model, name, shape):
    with pytest.raises(ValueError, match=rf"\b{name} must"):
        model(torch.rand(shape))

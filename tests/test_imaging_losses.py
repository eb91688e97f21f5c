"""Tests for scratchvision.imaging.losses (oracles: torch.nn.functional)."""

import pytest
import torch
import torch.nn.functional as F
from scratchvision.imaging.losses import (
    gan_d_loss,
    gan_g_loss,
    l1_loss,
    l2_loss,
    multiscale_loss,
    perceptual_loss,
    total_variation,
)
from scratchvision.imaging.unet import MultiScaleUNet, image_pyramid
from scratchvision.metrics import random_features


def pair(shape=(2, 3, 9, 7), seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(shape, generator=g, dtype=torch.float64), torch.rand(
        shape, generator=g, dtype=torch.float64
    )


def value_and_grad(fn, *inputs):
    leaves = [t.clone().requires_grad_() for t in inputs]
    out = fn(*leaves)
    return out, torch.autograd.grad(out, leaves)


def assert_same_value_and_grads(fn, oracle, *inputs):
    out, grads = value_and_grad(fn, *inputs)
    ref, ref_grads = value_and_grad(oracle, *inputs)
    torch.testing.assert_close(out, ref)
    for got, want in zip(grads, ref_grads):
        torch.testing.assert_close(got, want)


# --- pixel losses ---------------------------------------------------------------------


@pytest.mark.parametrize("ours,oracle", [(l1_loss, F.l1_loss), (l2_loss, F.mse_loss)])
def test_pixel_losses_match_torch(ours, oracle):
    assert_same_value_and_grads(ours, oracle, *pair())


@pytest.mark.parametrize("loss", [l1_loss, l2_loss])
def test_pixel_losses_reject_shape_mismatch(loss):
    with pytest.raises(ValueError, match=r"target must have the shape of pred"):
        loss(torch.rand(2, 3, 8, 8), torch.rand(2, 3, 8, 9))


# --- perceptual loss ------------------------------------------------------------------


def small_features(x):
    """The offline feature space of the metrics module, narrowed to stay fast."""
    return random_features(x, widths=(4, 6))


def test_perceptual_loss_matches_sum_of_feature_mse():
    features = small_features
    pred, target = (t.float() for t in pair())

    def oracle(p, t):
        return sum(F.mse_loss(a, b) for a, b in zip(features(p), features(t)))

    out, (grad_pred,) = value_and_grad(
        lambda p: perceptual_loss(p, target, features=features), pred
    )
    ref, (ref_grad,) = value_and_grad(lambda p: oracle(p, target), pred)
    torch.testing.assert_close(out, ref)
    torch.testing.assert_close(grad_pred, ref_grad)


def test_perceptual_loss_with_identity_features_is_l2():
    pred, target = pair()
    torch.testing.assert_close(
        perceptual_loss(pred, target, features=lambda x: [x]), l2_loss(pred, target)
    )


def test_perceptual_loss_treats_target_as_constant():
    pred, target = (t.float().requires_grad_() for t in pair())
    perceptual_loss(pred, target, features=small_features).backward()
    assert pred.grad is not None and pred.grad.abs().sum() > 0
    assert target.grad is None


def test_perceptual_loss_rejects_empty_features():
    with pytest.raises(ValueError, match=r"features must return a non-empty list"):
        perceptual_loss(*pair(), features=lambda x: [])


# --- GAN losses -----------------------------------------------------------------------


def logits(seed=0, scale=4.0):
    return scale * torch.randn(
        2, 1, 5, 6, generator=torch.Generator().manual_seed(seed), dtype=torch.float64
    )


def test_gan_d_loss_is_bce_with_logits():
    def oracle(real, fake):
        return F.binary_cross_entropy_with_logits(
            real, torch.ones_like(real)
        ) + F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake))

    assert_same_value_and_grads(gan_d_loss, oracle, logits(0), logits(1))


def test_gan_g_losses_are_bce_with_logits():
    non_saturating = lambda f: F.binary_cross_entropy_with_logits(f, torch.ones_like(f))  # noqa: E731
    saturating = lambda f: -F.binary_cross_entropy_with_logits(f, torch.zeros_like(f))  # noqa: E731  log(1 - D)
    assert_same_value_and_grads(gan_g_loss, non_saturating, logits(2))
    assert_same_value_and_grads(
        lambda f: gan_g_loss(f, saturating=True), saturating, logits(2)
    )


def test_gan_losses_stay_finite_for_extreme_logits():
    extreme = torch.tensor([-200.0, -50.0, 0.0, 50.0, 200.0])
    naive_g = -torch.log(torch.sigmoid(extreme)).mean()  # what softplus avoids
    assert not torch.isfinite(naive_g)
    for value in (
        gan_d_loss(extreme, extreme),
        gan_g_loss(extreme),
        gan_g_loss(extreme, saturating=True),
    ):
        assert torch.isfinite(value)


def test_non_saturating_g_loss_has_larger_gradient_when_d_rejects_fakes():
    """Goodfellow et al. 2014, Sec. 3: why G maximises log D(G(z)).

    Instead of minimising log(1 - D(G(z))), whose gradient vanishes when D rejects
    fakes.
    """
    rejected = torch.full((8,), -6.0)  # D(G(z)) = sigmoid(-6) ~ 0.0025
    _, (strong,) = value_and_grad(gan_g_loss, rejected)
    _, (weak,) = value_and_grad(lambda f: gan_g_loss(f, saturating=True), rejected)
    assert (strong < 0).all() and (weak < 0).all(), "both must push the fake logits up"
    ratio = (strong.abs() / weak.abs()).min()
    assert ratio > 100, f"non-saturating gradient only {ratio:.1f}x the saturating one"
    fooled = torch.full((8,), 6.0)  # and the other way round once D is fooled
    assert value_and_grad(gan_g_loss, fooled)[1][0].abs().max() < 0.01


# --- multi-scale loss -----------------------------------------------------------------


def test_multiscale_loss_is_zero_on_the_target_pyramid():
    target = torch.rand(2, 3, 37, 45)
    assert multiscale_loss(image_pyramid(target, n_scales=3), target) == 0


def test_multiscale_loss_is_mean_over_scales():
    target = torch.rand(2, 3, 32, 24)
    preds = [torch.rand(2, 3, 8, 6), torch.rand(2, 3, 16, 12), torch.rand(2, 3, 32, 24)]
    targets = [
        F.interpolate(target, size=p.shape[-2:], mode="bilinear", antialias=True)
        for p in preds
    ]
    expected = sum(F.mse_loss(p, t) for p, t in zip(preds, targets)) / 3
    torch.testing.assert_close(multiscale_loss(preds, target, loss=l2_loss), expected)


def test_multiscale_loss_accepts_multiscale_unet_output():
    target = torch.rand(1, 3, 21, 26)
    loss = multiscale_loss(MultiScaleUNet(widths=(4,))(target), target)
    loss.backward()
    assert loss.ndim == 0 and torch.isfinite(loss)


@pytest.mark.parametrize(
    "preds,name",
    [
        ([], "preds"),
        ([torch.rand(1, 3, 9, 9), torch.rand(1, 3, 16, 16)], r"preds\[0\]"),
    ],
)
def test_multiscale_loss_rejects_wrong_preds(preds, name):
    with pytest.raises(ValueError, match=rf"\b{name} must"):
        multiscale_loss(preds, torch.rand(1, 3, 16, 16))


# --- total variation ------------------------------------------------------------------


def test_total_variation_matches_diff_oracle_and_grads():
    def oracle(x):
        return torch.diff(x, dim=-2).abs().mean() + torch.diff(x, dim=-1).abs().mean()

    assert_same_value_and_grads(total_variation, oracle, pair()[0])


def test_total_variation_is_zero_for_constant_and_grows_with_noise():
    flat = torch.full((1, 3, 16, 16), 0.5)
    noisy = flat + 0.1 * torch.randn(
        flat.shape, generator=torch.Generator().manual_seed(0)
    )
    assert total_variation(flat) == 0
    assert total_variation(noisy) > 0.05


def test_total_variation_rejects_single_row():
    with pytest.raises(ValueError, match=r"\bimage height and width must be >= 2"):
        total_variation(torch.rand(1, 3, 1, 8))

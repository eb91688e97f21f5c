"""Super-resolution: SR pairs, the SRGAN recipe, the held-out evaluator, SR zoo."""

import functools

import pytest
import torch
from scratchvision import checks, zoo
from scratchvision.imaging.degrade import bicubic_downsample
from scratchvision.imaging.heldout import eval_sr
from scratchvision.imaging.losses import gan_d_loss, l1_loss, l2_loss, perceptual_loss
from scratchvision.imaging.pairs import bicubic_pair, realistic_pair
from scratchvision.imaging.restorers import PixelShuffleSR, pixel_shuffle
from scratchvision.imaging.srgan import content_loss, train_srgan
from scratchvision.imaging.training import train_restorer
from scratchvision.metrics import ZooFeatures, random_features

TINY = dict(steps=2, epochs=1, batch_size=2, patch_size=24, lr=1e-2)


def tiny_sr(seed=0):
    torch.manual_seed(seed)
    return PixelShuffleSR(scale=2, width=8, n_blocks=1)


def test_realistic_pair_shapes_and_reproducibility():
    clean = torch.rand(3, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    low, high = realistic_pair(
        clean, scale=2, generator=torch.Generator().manual_seed(1)
    )
    again, _ = realistic_pair(
        clean, scale=2, generator=torch.Generator().manual_seed(1)
    )
    assert low.shape == (3, 3, 16, 16) and high is clean
    assert torch.equal(low, again), "the same generator must give the same degradation"
    assert not torch.allclose(low, bicubic_downsample(clean, 2), atol=1e-2), (
        "realistic is not bicubic"
    )


def test_content_losses_are_the_library_losses():
    pred, target = torch.rand(2, 3, 16, 16), torch.rand(2, 3, 16, 16)
    torch.testing.assert_close(
        content_loss(pred, target, content="l1"), l1_loss(pred, target)
    )
    torch.testing.assert_close(
        content_loss(pred, target, content="l2"), l2_loss(pred, target)
    )
    seed1 = functools.partial(random_features, seed=1)
    torch.testing.assert_close(
        content_loss(pred, target, content="perceptual", features=seed1),
        perceptual_loss(pred, target, features=seed1),
    )
    torch.testing.assert_close(
        content_loss(
            pred, target, content="perceptual", features=seed1, pixel_weight=0.5
        ),
        perceptual_loss(pred, target, features=seed1) + 0.5 * l1_loss(pred, target),
    )
    course = ZooFeatures("vgg-shapeworld", n_stages=3)  # the default feature net
    torch.testing.assert_close(
        content_loss(pred, target, content="perceptual"),
        perceptual_loss(pred, target, features=course),
    )
    with pytest.raises(ValueError, match="content must be one of"):
        content_loss(pred, target, content="gan")
    with pytest.raises(ValueError, match="pixel_weight"):
        content_loss(pred, target, content="perceptual", pixel_weight=float("nan"))


def test_srgan_without_critic_is_train_restorer():
    """Fair loss study: the same patches, optimiser and schedule as train_restorer."""
    ours, theirs = tiny_sr(), tiny_sr()
    log = train_srgan(
        ours, degrade_kwargs={"scale": 2}, content="l1", adversarial_weight=0.0, **TINY
    )
    reference = train_restorer(
        theirs, degrade=bicubic_pair, degrade_kwargs={"scale": 2}, loss="l1", **TINY
    )
    for a, b in zip(ours.parameters(), theirs.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert log["train_loss"] == pytest.approx(reference["train_loss"], abs=1e-4)
    assert "critic_loss" not in log


def test_srgan_trains_generator_and_critic_but_keeps_only_the_generator():
    model = tiny_sr()
    keys, before = set(model.state_dict()), [p.clone() for p in model.parameters()]
    log = train_srgan(
        model,
        degrade_kwargs={"scale": 2},
        content="perceptual",
        adversarial_weight=0.1,
        **TINY,
    )
    assert set(model.state_dict()) == keys, (
        "the critic must not be saved with the generator"
    )
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters()))
    assert set(log) == {
        "train_loss",
        "train_psnr",
        "critic_loss",
        "critic_acc",
        "seconds",
    }
    assert all(len(v) == 1 and v[0] == v[0] for v in log.values()), (
        "one finite value per epoch"
    )
    assert 0 <= log["critic_acc"][0] <= 1


def test_a_critic_learns_to_tell_blurry_fakes_from_real_patches():
    """60 steps against a fixed, blurry x4 generator: the critic starts to see it."""
    torch.manual_seed(0)
    log = train_srgan(
        PixelShuffleSR(scale=4, width=8, n_blocks=1),
        degrade_kwargs={"scale": 4},
        content="l1",
        adversarial_weight=1e-3,
        steps=60,
        epochs=6,
        batch_size=8,
        patch_size=48,
        lr=1e-6,  # the generator barely moves: a fixed, blurry target for the critic
        critic_lr=2e-4,
    )
    assert log["critic_acc"][-1] > 0.58 > log["critic_acc"][0], log["critic_acc"]
    assert log["critic_loss"][-1] < 1.35 < log["critic_loss"][0], log["critic_loss"]


def test_srgan_starts_from_a_zoo_card(tmp_path, monkeypatch):
    start = tiny_sr(seed=3)
    monkeypatch.setattr(zoo, "load", lambda name: start)
    model = tiny_sr(seed=4)
    train_srgan(
        model, degrade_kwargs={"scale": 2}, init="some-card", **dict(TINY, lr=1e-12)
    )
    for a, b in zip(model.parameters(), start.parameters(), strict=True):
        torch.testing.assert_close(a, b, atol=1e-6, rtol=0)


def test_srgan_rejects_bad_arguments():
    with pytest.raises(ValueError, match="steps must be a multiple of epochs"):
        train_srgan(tiny_sr(), degrade_kwargs={"scale": 2}, steps=3, epochs=2)
    with pytest.raises(ValueError, match="adversarial_weight"):
        train_srgan(tiny_sr(), degrade_kwargs={"scale": 2}, adversarial_weight=-1.0)
    with pytest.raises(ValueError, match="features must be one of"):
        train_srgan(tiny_sr(), degrade_kwargs={"scale": 2}, features="alexnet")


def test_eval_sr_of_an_untrained_net_is_bicubic():
    """The zero-initialised SR net is bicubic upsampling, so both columns agree."""
    scores = eval_sr(tiny_sr(), degrade_kwargs={"scale": 2}, n_crops=4, size=32)
    for metric in ("psnr", "ssim", "perceptual", "detail"):
        assert scores[metric] == pytest.approx(scores[f"{metric}_bicubic"], abs=1e-5)
    assert (
        15 < scores["psnr"] < 50
        and 0 < scores["ssim"] <= 1
        and scores["perceptual"] > 0
    )


def test_eval_sr_realistic_inputs_are_harder():
    kwargs = dict(degrade_kwargs={"scale": 2}, n_crops=4, size=32)
    bicubic = eval_sr(tiny_sr(), **kwargs)["psnr_bicubic"]
    realistic = eval_sr(tiny_sr(), degrade=realistic_pair, **kwargs)["psnr_bicubic"]
    assert realistic < bicubic


SR_CARDS = [name for name in zoo.names() if name.startswith("sr")]


@pytest.mark.parametrize("name", SR_CARDS)
def test_sr_checkpoint_recomputes_its_heldout_psnr(name):
    entry, measured = zoo.card(name), zoo.evaluate(name)
    assert measured["psnr"] == pytest.approx(entry["metrics"]["psnr"], abs=0.01)
    assert measured["psnr_bicubic"] == pytest.approx(
        entry["metrics"]["psnr_bicubic"], abs=0.01
    )
    assert measured["psnr_gain"] == pytest.approx(
        measured["psnr"] - measured["psnr_bicubic"]
    )
    if entry["recipe_kwargs"].get("content", "l1") in ("l1", "l2"):  # pixel losses
        assert measured["psnr"] > measured["psnr_bicubic"], (
            f"{name} does not beat bicubic upsampling"
        )


# --- checkers of lessons 5.2 and 5.4 --------------------------------------------------


def naive_gan_d_loss(real_logits, fake_logits):
    """The textbook formula via log(sigmoid).

    Right for moderate logits, inf for extreme ones.
    """
    return -(
        torch.log(torch.sigmoid(real_logits)).mean()
        + torch.log(1 - torch.sigmoid(fake_logits)).mean()
    )


@pytest.mark.parametrize(
    "checker,right,wrong,message",
    [
        (
            checks.pixel_shuffle,
            pixel_shuffle,
            lambda x, r: x.reshape(x.shape[0], -1, x.shape[2] * r, x.shape[3] * r),
            "values differ",
        ),
        (
            checks.perceptual_loss,
            perceptual_loss,
            lambda pred, target, features: sum(
                ((a - b) ** 2).sum() for a, b in zip(features(pred), features(target))
            ),
            "values differ",
        ),
        (checks.gan_d_loss, gan_d_loss, naive_gan_d_loss, "case 4 of 4"),
    ],
)
def test_checkers_pass_the_library_and_fail_a_wrong_answer(
    checker, right, wrong, message, capsys
):
    assert checker(right) is True
    assert checker(wrong) is False
    assert message in capsys.readouterr().out

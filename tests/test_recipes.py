"""Chapter-1 recipes on tiny runs: train_shapeworld, warmup_cosine, eval_shapeworld."""

import functools
import math

import pytest
import torch
import torch.nn.functional as F
from scratchvision.backbones import LeNet, recipes
from scratchvision.backbones.recipes import (
    eval_shapeworld,
    shapeworld_tensors,
    train_shapeworld,
)
from scratchvision.train import warmup_cosine
from torch import nn

LOG_KEYS = {"step", "train_loss", "train_acc", "val_loss", "val_acc", "seconds"}


def test_shapeworld_tensors_are_rendered_once_per_split():
    images, labels = shapeworld_tensors(6, split="val", image_size=32).tensors
    assert (
        images.shape == (6, 3, 32, 32)
        and labels.shape == (6,)
        and labels.dtype == torch.int64
    )
    assert 0 <= images.min() and images.max() <= 1 and labels.max() < 10
    again, _ = shapeworld_tensors(6, split="val", image_size=32).tensors
    other, _ = shapeworld_tensors(6, split="test", image_size=32).tensors
    assert torch.equal(images, again) and not torch.equal(images, other)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SCRATCHVISION_CACHE", str(tmp_path))
    return tmp_path / "shapeworld"


def test_train_shapeworld_logs_every_record_and_changes_the_model(cache, monkeypatch):
    small_chunks = functools.partial(recipes.classification_stream, chunk=16)
    monkeypatch.setattr(recipes, "classification_stream", small_chunks)
    torch.manual_seed(0)
    model = LeNet(in_channels=3)
    before = [p.detach().clone() for p in model.parameters()]
    log = train_shapeworld(
        model, steps=6, batch_size=8, image_size=32, n_val=16, log_every=3
    )
    assert set(log) == LOG_KEYS
    assert log["step"] == [3, 6]
    assert all(len(values) == 2 for values in log.values())
    assert all(math.isfinite(v) for values in log.values() for v in values)
    assert all(0 <= v <= 1 for v in log["train_acc"] + log["val_acc"])
    assert all(v > 0 for v in log["train_loss"] + log["val_loss"] + log["seconds"])
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters()))
    # 6 steps of 8 fresh scenes: the first 48 training scenes, 16 at a time
    rendered = sorted(p.name.split("-", 1)[1] for p in cache.iterdir())
    assert rendered == ["train-0-16.pt", "train-16-16.pt", "train-32-16.pt"] + [
        "val-0-16.pt"
    ]


def test_train_shapeworld_logs_twenty_records_by_default(cache):
    torch.manual_seed(0)
    log = train_shapeworld(
        LeNet(in_channels=3),
        steps=40,
        batch_size=8,
        image_size=32,
        n_scenes=16,
        augment=True,
        optimizer="sgd",
        lr=0.01,
        label_smoothing=0.1,
        n_val=16,
    )
    assert log["step"] == list(range(2, 41, 2))
    assert all(len(values) == 20 for values in log.values())
    assert all(math.isfinite(v) for values in log.values() for v in values)


def test_train_shapeworld_refuses_an_unknown_optimizer(cache):
    with pytest.raises(ValueError, match="optimizer must be 'adamw' or 'sgd'"):
        train_shapeworld(
            LeNet(in_channels=3), steps=2, batch_size=8, image_size=32, n_val=8,
            optimizer="adam",
        )  # fmt: skip


def lr_factors(steps, warmup):
    optimizer = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)
    scheduler = warmup_cosine(optimizer, steps, warmup)
    factors = []
    for _ in range(steps):
        factors.append(optimizer.param_groups[0]["lr"])  # the lr of this step
        optimizer.step()
        scheduler.step()
    return factors


def test_warmup_cosine_rises_linearly_then_decays_to_zero():
    factors = lr_factors(100, 0.1)
    ramp, decay = factors[:10], factors[10:]
    assert ramp == pytest.approx([(i + 1) / 10 for i in range(10)])  # up to 1
    assert decay[0] == pytest.approx(1.0) and decay[45] == pytest.approx(0.5)
    assert all(a >= b for a, b in zip(decay, decay[1:]))  # never rises again
    assert 0 <= factors[-1] < 1e-3  # about zero at the last step
    # the cosine half: symmetric about its midpoint
    assert decay[20] + decay[70] == pytest.approx(1.0)
    without = lr_factors(50, 0.0)
    assert without[0] == pytest.approx(1.0) and without[-1] < 2e-3  # no warm-up


class Oracle(nn.Module):
    """Looks each test image up in the rendered test split and answers its label."""

    def __init__(self, n_test, image_size):
        super().__init__()
        self.images, self.labels = shapeworld_tensors(
            n_test, split="test", image_size=image_size
        ).tensors

    def forward(self, images):
        distance = (
            (images.flatten(1)[:, None] - self.images.flatten(1)[None]).abs().sum(-1)
        )  # (B, n_test)
        return F.one_hot(self.labels[distance.argmin(1)], 10).float()  # (B, 10)


class Constant(nn.Module):
    def forward(self, images):
        return F.one_hot(
            torch.zeros(len(images), dtype=torch.long), 10
        ).float()  # always class 0


def test_eval_shapeworld_scores_an_oracle_1_and_a_constant_its_class_share(cache):
    assert eval_shapeworld(Oracle(40, 32), n_test=40, image_size=32) == {
        "accuracy": 1.0
    }
    labels = shapeworld_tensors(40, split="test", image_size=32).tensors[1]
    score = eval_shapeworld(Constant(), n_test=40, image_size=32)["accuracy"]
    assert score == pytest.approx((labels == 0).float().mean().item())
    assert 0 <= score < 1

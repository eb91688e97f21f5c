"""Chapter-1 recipes, tiny runs: train_shapeworld's log, eval_shapeworld's accuracy."""

import math

import pytest
import torch
import torch.nn.functional as F
from scratchvision.backbones import LeNet
from scratchvision.backbones.recipes import (
    eval_shapeworld,
    shapeworld_tensors,
    train_shapeworld,
)
from torch import nn

LOG_KEYS = {"train_loss", "train_acc", "val_loss", "val_acc", "seconds"}


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


def test_train_shapeworld_returns_one_value_per_epoch_and_changes_the_model():
    torch.manual_seed(0)
    model = LeNet(in_channels=3)
    before = [p.detach().clone() for p in model.parameters()]
    log = train_shapeworld(
        model, n_train=48, n_val=16, epochs=2, batch_size=16, image_size=32
    )
    assert set(log) == LOG_KEYS
    assert all(len(values) == 2 for values in log.values())
    assert all(math.isfinite(v) for values in log.values() for v in values)
    assert all(0 <= v <= 1 for v in log["train_acc"] + log["val_acc"])
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters()))


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


def test_eval_shapeworld_scores_an_oracle_1_and_a_constant_its_class_share():
    assert eval_shapeworld(Oracle(40, 32), n_test=40, image_size=32) == {
        "accuracy": 1.0
    }
    labels = shapeworld_tensors(40, split="test", image_size=32).tensors[1]
    score = eval_shapeworld(Constant(), n_test=40, image_size=32)["accuracy"]
    assert score == pytest.approx((labels == 0).float().mean().item())
    assert 0 <= score < 1

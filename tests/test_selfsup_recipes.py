"""Chapter 2 recipes on tiny budgets: pre-train, fine-tune from a card, score."""

import json

import pytest
import torch
from scratchvision import zoo
from scratchvision.backbones import vit_tiny
from scratchvision.selfsup import MAE, DINONet
from scratchvision.selfsup.recipes import (
    eval_features,
    finetune,
    mae_tiny,
    pretrain_mae,
)
from scratchvision.selfsup.recipes_dino import (
    cosine_ramp,
    dino_tiny,
    eval_dino,
    pretrain_dino,
)


def test_mae_pretraining_lowers_its_loss_on_fresh_scenes():
    torch.manual_seed(0)
    log = pretrain_mae(mae_tiny(image_size=16), steps=40, batch_size=16, image_size=16)
    assert len(log["train_loss"]) == 20 and log["step"][-1] == 40
    assert sum(log["train_loss"][-3:]) / 3 < 0.9 * log["train_loss"][0], log


def test_dino_pretraining_logs_its_collapse_diagnostics_and_keeps_the_teacher():
    torch.manual_seed(0)
    model = dino_tiny(image_size=16, out_dim=32)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    log = pretrain_dino(model, steps=4, batch_size=8, image_size=16, n_local=2)
    for key in (
        "train_loss",
        "train_teacher_entropy",
        "train_batch_entropy",
        "train_kl",
    ):
        assert len(log[key]) == 4 and all(v == v for v in log[key]), key
    # the stored model is the EMA teacher: moved, but only a little from its start
    moved = [
        (model.state_dict()[k] - v).abs().max().item()
        for k, v in before.items()
        if v.is_floating_point() and "running" not in k
    ]
    assert 0 < max(moved) < 0.1


def test_without_centering_the_center_stays_zero_and_sharpening_off_uses_one_temp():
    torch.manual_seed(0)
    log = pretrain_dino(
        dino_tiny(image_size=16, out_dim=16),
        steps=2,
        batch_size=4,
        image_size=16,
        n_local=0,
        centering=False,
        sharpening=False,
    )
    assert len(log["train_loss"]) == 2


def test_cosine_ramp_runs_from_start_to_end():
    assert cosine_ramp(0.99, 1.0, 0, 100) == pytest.approx(0.99)
    assert cosine_ramp(0.99, 1.0, 50, 100) == pytest.approx(0.995)
    assert cosine_ramp(0.99, 1.0, 100, 100) == pytest.approx(1.0)
    assert cosine_ramp(0.99, 1.0, 300, 100) == pytest.approx(1.0)


def test_finetune_starts_from_the_cards_encoder(tmp_path):
    cards = {"tiny-mae": {
        "description": "test", "builder": "scratchvision.selfsup.recipes:mae_tiny",
        "kwargs": {"image_size": 16},
        "recipe": "scratchvision.selfsup.recipes:pretrain_mae",
        "recipe_kwargs": {"steps": 2, "batch_size": 4, "image_size": 16},
        "evaluate": "scratchvision.selfsup.recipes:eval_features",
        "evaluate_kwargs": {"n_train": 64, "n_test": 32, "image_size": 16},
        "floor": {"knn": 0.0}}}  # fmt: skip
    (tmp_path / "manifest.json").write_text(json.dumps(cards))
    zoo.train("tiny-mae", root=tmp_path)
    encoder = zoo.load("tiny-mae", root=tmp_path).encoder
    model = vit_tiny(image_size=16, patch_size=4)
    log = finetune(
        model,
        init="tiny-mae",
        root=tmp_path,
        steps=1,
        batch_size=4,
        lr=0.0,
        image_size=16,
        n_val=8,
    )  # lr 0: the weights stay the card's
    assert log["step"] == [1]
    for key, value in encoder.state_dict().items():
        if not key.startswith("head."):
            torch.testing.assert_close(model.state_dict()[key], value, msg=key)
    with pytest.raises(ValueError, match="encoder of 'tiny-mae'"):
        finetune(
            vit_tiny(image_size=16, patch_size=4, dim=32),
            init="tiny-mae",
            root=tmp_path,
            steps=1,
        )


def test_feature_scores_are_accuracies():
    scores = eval_features(
        vit_tiny(image_size=16, patch_size=4), n_train=64, n_test=32, image_size=16
    )
    assert set(scores) == {"knn", "linear_probe"}
    assert all(0 <= v <= 1 for v in scores.values())
    dino = eval_dino(
        dino_tiny(image_size=16, out_dim=16).eval(),
        n_train=64,
        n_test=32,
        image_size=16,
    )
    assert 0 <= dino["attention_iou"] <= 1
    assert isinstance(mae_tiny(), MAE) and isinstance(dino_tiny(), DINONet)

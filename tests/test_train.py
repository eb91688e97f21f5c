"""The training loop: reproducible, model-agnostic, honest about what it measured."""

import pytest
import torch
from scratchvision.train import History, accuracy, evaluate, fit, seed_everything
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def _loaders(n=96, batch_size=16):
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(n, 5, generator=generator)
    y = (x[:, 0] + x[:, 1] > 0).long()
    data = TensorDataset(x, y)
    return DataLoader(data, batch_size=batch_size, shuffle=False), DataLoader(
        data, batch_size=40
    )


def test_seed_everything_makes_runs_repeatable():
    seed_everything(3)
    a = torch.randn(4)
    generator = seed_everything(3)
    assert torch.equal(a, torch.randn(4))
    assert torch.equal(
        torch.randn(2, generator=generator),
        torch.randn(2, generator=torch.Generator().manual_seed(3)),
    )


def test_fit_learns_and_records_history():
    seed_everything(0)
    train, val = _loaders()
    model = nn.Linear(5, 2)
    before = evaluate(model, val)
    history = fit(
        model, train, epochs=5, lr=0.1, val_loader=val, progress=False, verbose=False
    )
    assert isinstance(history, History) and len(history.epochs) == 5
    assert len(history.steps) == 5 * len(train)
    assert history.last("val_acc") > 0.9 > before["acc"] - 0.5
    assert history.series("train_loss")[-1] < history.series("train_loss")[0] / 2
    assert history.seconds > 0
    assert set(history.epochs[0]) == {
        "epoch",
        "train_loss",
        "train_acc",
        "val_loss",
        "val_acc",
        "seconds",
    }


def test_evaluate_weights_batches_by_size():
    logits = torch.tensor([[1.0, 0.0]] * 5)
    targets = torch.tensor([0, 0, 0, 0, 1])
    loader = DataLoader(
        TensorDataset(logits, targets), batch_size=4
    )  # batches of 4 and 1
    scores = evaluate(nn.Identity(), loader)
    assert scores["acc"] == pytest.approx(0.8)
    assert scores["loss"] == pytest.approx(
        nn.functional.cross_entropy(logits, targets).item()
    )


def test_accuracy():
    assert accuracy(torch.tensor([[0.1, 0.9], [0.8, 0.2]]), torch.tensor([1, 1])) == 0.5


def test_fit_prints_one_line_per_epoch(capsys):
    train, _ = _loaders()
    fit(nn.Linear(5, 2), train, epochs=2, progress=False)
    lines = [l for l in capsys.readouterr().out.splitlines() if l.startswith("epoch")]
    assert len(lines) == 2 and "train_loss" in lines[0]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"epochs": 0}, "epochs must be >= 1"),
        ({"epochs": 1.5}, "epochs must be an int"),
        ({"epochs": 1, "lr": -1.0}, "lr must be in"),
    ],
)
def test_fit_rejects_bad_arguments(kwargs, message):
    train, _ = _loaders()
    with pytest.raises(ValueError, match=message):
        fit(nn.Linear(5, 2), train, progress=False, **kwargs)


def test_history_last_names_known_keys():
    with pytest.raises(ValueError, match="key must be one of"):
        History(epochs=[{"epoch": 1, "train_loss": 1.0, "seconds": 0.1}]).last(
            "val_acc"
        )

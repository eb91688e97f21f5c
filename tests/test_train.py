"""The training loop: one loop for every kind of batch, reproducible, honest records."""

import functools

import pytest
import torch
import torch.nn.functional as F
from scratchvision.train import (
    History,
    ema_update,
    evaluate,
    fit,
    seed_everything,
    supervised_step,
)
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

QUIET = dict(progress=False, verbose=False)


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


# ---- every kind of batch, one loop ----


def test_fit_trains_a_classifier_on_supervised_pairs_and_records_history():
    seed_everything(0)
    train, val = _loaders()
    model = nn.Linear(5, 2)
    before = evaluate(model, val)
    history = fit(model, train, epochs=5, lr=0.1, val_loader=val, **QUIET)
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


def test_fit_trains_an_autoencoder_on_unlabelled_batches():
    seed_everything(0)
    g = torch.Generator().manual_seed(1)
    basis = torch.randn(2, 8, generator=g)
    batches = [torch.randn(16, 2, generator=g) @ basis for _ in range(4)]  # (16, 8)
    model = nn.Sequential(nn.Linear(8, 2), nn.Linear(2, 8))  # a rank-2 bottleneck

    def reconstruct(model, images):
        return F.mse_loss(model(images), images)

    history = fit(model, batches, step=reconstruct, epochs=40, lr=0.03, **QUIET)
    assert set(history.epochs[0]) == {"epoch", "train_loss", "seconds"}
    assert history.last("train_loss") < history.series("train_loss")[0] / 20


def test_fit_takes_batches_of_images_and_lists_of_dicts():
    """Detection-style batches: the loop moves and counts them, the step unpacks."""
    images = [torch.rand(3, 8, 8) for _ in range(3)]
    targets = [{"boxes": torch.rand(k, 4), "labels": torch.zeros(k)} for k in (1, 2, 0)]
    model = nn.Linear(4, 4)

    def box_step(model, batch):
        _, targets = batch
        boxes = torch.cat([t["boxes"] for t in targets])  # (K, 4)
        return {"loss": model(boxes).pow(2).mean(), "boxes": float(len(boxes))}

    history = fit(model, [(images, targets)], step=box_step, epochs=2, **QUIET)
    assert history.last("train_boxes") == 3.0 and len(history.steps) == 2


def gan_step(model, real, *, critic, critic_optimizer, noise):
    """A two-player step: the critic's update here, the generator's loss for fit."""
    fake = model(torch.randn(real.shape, generator=noise))
    ones, zeros = torch.ones(len(real), 1), torch.zeros(len(real), 1)
    critic_loss = F.binary_cross_entropy_with_logits(
        critic(real), ones
    ) + F.binary_cross_entropy_with_logits(critic(fake.detach()), zeros)
    critic_optimizer.zero_grad()
    critic_loss.backward()
    critic_optimizer.step()
    loss = F.binary_cross_entropy_with_logits(critic(fake), ones)  # non-saturating
    return {"loss": loss, "critic_loss": critic_loss.item()}


def test_fit_trains_a_gan_with_two_optimisers():
    """The generator learns to move noise onto the data (mean 3) by fooling a critic."""
    seed_everything(0)
    g = torch.Generator().manual_seed(2)
    real = [3 + 0.5 * torch.randn(64, 1, generator=g) for _ in range(8)]
    generator, critic = nn.Linear(1, 1), nn.Linear(1, 1)
    start = generator.bias.item()
    critic_optimizer = torch.optim.Adam(critic.parameters(), lr=0.1)
    step = functools.partial(
        gan_step,
        critic=critic,
        critic_optimizer=critic_optimizer,
        noise=torch.Generator().manual_seed(0),
    )
    history = fit(
        generator, real, step=step, steps=600, log_every=100, lr=0.01, **QUIET
    )
    assert [r["step"] for r in history.epochs] == [100, 200, 300, 400, 500, 600]
    critic_losses = history.series("train_critic_loss")
    assert abs(start - 3) > 2 and abs(generator.bias.item() - 3) < 1, generator.bias
    assert critic_losses[-1] > critic_losses[0], "the critic loses its easy win"


def test_an_ema_teacher_follows_its_student_after_every_step():
    seed_everything(0)
    train, _ = _loaders()
    student = nn.Linear(5, 2)
    teacher = nn.Linear(5, 2).requires_grad_(False)
    teacher.load_state_dict(student.state_dict())
    calls, trail = [], []

    def after_step(i):
        calls.append(i)
        ema_update(teacher, student, momentum=0.9)
        trail.append(teacher.weight.clone())

    fit(student, train, epochs=2, lr=0.1, after_step=after_step, **QUIET)
    assert calls == list(range(1, 2 * len(train) + 1))
    assert not torch.equal(trail[0], trail[-1]), "the teacher moves"
    assert not torch.allclose(teacher.weight, student.weight), "but it lags behind"


def test_ema_update_is_the_moving_average_formula():
    teacher, student = nn.Linear(3, 2), nn.Linear(3, 2)
    expected = [0.75 * t + 0.25 * s for t, s in zip(teacher.parameters(),
                student.parameters())]  # fmt: skip
    assert ema_update(teacher, student, momentum=0.75) is teacher
    for t, e in zip(teacher.parameters(), expected):
        torch.testing.assert_close(t, e)
    with pytest.raises(ValueError, match="teacher must have the student's"):
        ema_update(nn.Linear(3, 2), nn.Linear(3, 3), momentum=0.5)


# ---- streams: a step budget, a record every K steps ----


class Stream:
    """Fresh random batches without end, like new ShapeWorld scenes per step."""

    def __init__(self):
        self.drawn, self.generator = 0, torch.Generator().manual_seed(0)

    def __iter__(self):
        while True:
            self.drawn += 1
            x = torch.randn(8, 5, generator=self.generator)
            yield x, (x[:, 0] + x[:, 1] > 0).long()


def test_fit_trains_on_a_stream_for_a_step_budget_and_logs_every_k_steps():
    seed_everything(0)
    stream, (_, val) = Stream(), _loaders()
    history = fit(
        nn.Linear(5, 2),
        stream,
        steps=30,
        log_every=10,
        lr=0.1,
        val_loader=val,
        **QUIET,
    )
    assert stream.drawn == 30 and len(history.steps) == 30
    assert [r["step"] for r in history.epochs] == [10, 20, 30]
    assert set(history.epochs[0]) == {
        "step",
        "train_loss",
        "train_acc",
        "val_loss",
        "val_acc",
        "seconds",
    }
    assert history.last("val_acc") > 0.8


def test_a_step_budget_rereads_a_finite_loader():
    train, _ = _loaders()  # 6 batches
    history = fit(nn.Linear(5, 2), train, steps=15, **QUIET)
    assert len(history.steps) == 15 and [r["step"] for r in history.epochs] == [15]


def test_one_batch_overfit():
    """A small MLP drives its loss on one batch down 20-fold in 150 steps."""
    seed_everything(0)
    x = torch.randn(16, 10, generator=torch.Generator().manual_seed(0))
    y = torch.arange(16) % 4
    model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 4))
    history = fit(model, [(x, y)], steps=150, lr=1e-2, **QUIET)
    assert history.steps[-1] < history.steps[0] / 20, history.steps[::30]
    assert evaluate(model, [(x, y)])["acc"] == 1.0


# ---- evaluation and records ----


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


def test_evaluate_averages_any_step_without_gradients_in_eval_mode():
    model = nn.Sequential(nn.Linear(5, 5), nn.Dropout(0.5)).train()

    def step(model, x):
        assert not model.training and not torch.is_grad_enabled()
        return {"loss": model(x).sum() * 0, "size": float(len(x))}

    scores = evaluate(model, [torch.zeros(4, 5), torch.zeros(2, 5)], step=step)
    assert scores == {"loss": 0.0, "size": pytest.approx((4 * 4 + 2 * 2) / 6)}
    assert model.training, "evaluate gives the model its mode back"


def test_supervised_step_is_the_default_step():
    model, x, y = nn.Linear(5, 2), torch.randn(6, 5), torch.tensor([0, 1] * 3)
    out = supervised_step(model, (x, y))
    assert set(out) == {"loss", "acc"} and out["loss"].requires_grad
    torch.testing.assert_close(out["loss"], F.cross_entropy(model(x), y))
    assert supervised_step(model, (x, y), metrics={}).keys() == {"loss"}


def test_fit_prints_one_line_per_record(capsys):
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
        ({}, "give epochs .* or steps"),
        ({"epochs": 1, "steps": 5}, "exactly one"),
        ({"epochs": 1, "log_every": 2}, "log_every counts steps"),
        ({"epochs": 1, "step": supervised_step, "loss": F.mse_loss}, "step owns"),
        ({"epochs": 1, "step": lambda model, batch: 1.0}, "must return a loss"),
    ],
)
def test_fit_rejects_bad_arguments(kwargs, message):
    train, _ = _loaders()
    with pytest.raises(ValueError, match=message):
        fit(nn.Linear(5, 2), train, progress=False, **kwargs)


def test_fit_refuses_an_empty_loader():
    with pytest.raises(ValueError, match="at least one batch"):
        fit(nn.Linear(5, 2), [], epochs=1, **QUIET)
    with pytest.raises(ValueError, match="at least one batch"):
        fit(nn.Linear(5, 2), [], steps=3, **QUIET)


def test_history_last_names_known_keys():
    with pytest.raises(ValueError, match="key must be one of"):
        History(epochs=[{"epoch": 1, "train_loss": 1.0, "seconds": 0.1}]).last(
            "val_acc"
        )

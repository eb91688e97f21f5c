"""A tiny builder, recipe and evaluator, importable by path, to test the zoo with."""

import torch
from torch import nn


def build(*, features: int = 4, classes: int = 3) -> nn.Module:
    return nn.Linear(features, classes)


def _data():
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(64, 4, generator=generator)
    y = x[:, :3].argmax(
        dim=1
    )  # linearly separable: the class is the largest of 3 features
    return x, y


def recipe(model: nn.Module, *, steps: int = 200) -> None:
    x, y = _data()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    for _ in range(steps):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()


@torch.no_grad()
def evaluate(model: nn.Module) -> dict[str, float]:
    x, y = _data()
    return {"accuracy": (model(x).argmax(1) == y).float().mean().item()}


def recipe_with_log(model: nn.Module, *, steps: int = 50) -> dict:
    recipe(model, steps=steps)
    return {"steps": steps, "curve": [1.0, 0.5]}

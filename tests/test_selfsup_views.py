"""DINO's multi-crop views: sizes, order, determinism, and that they are augmented."""

from __future__ import annotations

import pytest
import torch
from scratchvision.augment import grayscale
from scratchvision.selfsup.views import multi_crop


def rand(*shape, seed=0):
    return torch.rand(*shape, generator=torch.Generator().manual_seed(seed))


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("side", [32, 64])
def test_global_views_come_first_then_local_ones_of_any_square_input(side):
    views = multi_crop(rand(4, 3, side, side), generator=gen())
    assert [tuple(v.shape) for v in views] == [(4, 3, 32, 32)] * 2 + [
        (4, 3, 16, 16)
    ] * 6
    assert all(v.min() >= 0 and v.max() <= 1 for v in views)


def test_sizes_and_counts_are_the_callers():
    views = multi_crop(
        rand(2, 3, 32, 32), n_global=1, n_local=0, global_size=24, generator=gen()
    )
    assert [tuple(v.shape) for v in views] == [(2, 3, 24, 24)]


def test_the_same_seed_gives_the_same_views_and_views_differ():
    x = rand(4, 3, 32, 32)
    a, b = multi_crop(x, generator=gen(1)), multi_crop(x, generator=gen(1))
    assert all(torch.equal(u, v) for u, v in zip(a, b))
    assert not torch.equal(a[0], a[1]), "two global views of an image differ"
    assert not torch.equal(a[0], multi_crop(x, generator=gen(2))[0])


def test_a_fifth_of_the_views_turn_grey_as_dino_asks():
    local = multi_crop(rand(256, 3, 32, 32), n_global=1, n_local=1, generator=gen())[1]
    grey = [torch.allclose(v, g) for v, g in zip(local, grayscale(local))]
    assert 20 < sum(grey) < 90, f"{sum(grey)} of 256 grey, p = 0.2"

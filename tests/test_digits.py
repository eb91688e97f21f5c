"""scikit-learn's digits, upsampled MNIST-style (scratchvision.data.digits)."""

import pytest
import torch
import torch.nn.functional as F
from scratchvision.data.digits import digits_dataset
from sklearn.datasets import load_digits


def test_shapes_range_and_dtypes():
    images, labels = digits_dataset(split="train", size=32).tensors
    assert images.shape[1:] == (1, 32, 32) and images.dtype == torch.float32
    assert labels.shape == (len(images),) and labels.dtype == torch.int64
    assert images.min() >= 0 and images.max() <= 1 and images.max() > 0.9


def test_splits_are_disjoint_cover_everything_and_are_stratified():
    train, test = (digits_dataset(split=s, size=8).tensors for s in ("train", "test"))
    assert len(train[0]) + len(test[0]) == 1797
    assert len(test[0]) == pytest.approx(0.2 * 1797, abs=10)
    everything = {tuple(x.flatten().tolist()) for x in torch.cat([train[0], test[0]])}
    original = {
        tuple((torch.from_numpy(x).float() / 16).flatten().tolist())
        for x in load_digits().images
    }
    assert (
        everything == original
    )  # nothing lost (duplicate scans collapse in both sets)
    share = torch.bincount(test[1], minlength=10) / torch.bincount(
        torch.cat([train[1], test[1]]), minlength=10
    )
    assert share.min() > 0.17 and share.max() < 0.23, f"per-class test share {share}"


def test_size_8_is_the_original_scan_and_upsampling_is_bilinear():
    raw = (
        torch.from_numpy(load_digits().images).float()[:, None] / 16
    )  # (1797, 1, 8, 8)
    small, _ = digits_dataset(split="test", size=8, test_fraction=1.0).tensors
    torch.testing.assert_close(small, raw)
    big, _ = digits_dataset(split="test", size=32, test_fraction=1.0).tensors
    torch.testing.assert_close(
        big, F.interpolate(raw, size=32, mode="bilinear").clamp(0, 1)
    )


def test_the_split_depends_only_on_the_seed():
    a, b, c = (
        digits_dataset(split="test", size=8, seed=s).tensors[1] for s in (0, 0, 1)
    )
    assert torch.equal(a, b)
    other = digits_dataset(split="test", size=8, seed=1).tensors[0]
    assert not torch.equal(
        digits_dataset(split="test", size=8, seed=0).tensors[0], other
    )
    assert torch.equal(
        torch.bincount(a), torch.bincount(c)
    )  # stratified: same class counts


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(split="val"), "split must be one of"),
        (dict(size=4), "size must be >= 8"),
        (dict(test_fraction=1.5), r"test_fraction must be in \[0.0, 1.0\]"),
    ],
)
def test_bad_arguments_name_themselves(kwargs, match):
    with pytest.raises(ValueError, match=f"digits_dataset: {match}"):
        digits_dataset(**kwargs)

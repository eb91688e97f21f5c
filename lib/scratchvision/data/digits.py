"""Handwritten digits, MNIST-style, from the 8x8 scans that ship inside scikit-learn.

``sklearn.datasets.load_digits`` holds 1,797 digits of 8x8 pixels with 17 grey levels
(Alpaydin & Kaynak 1998, the UCI "optical recognition of handwritten digits" set).
LeNet-5 expects MNIST's 32x32 (LeCun et al. 1998, Sec. II.A: 28x28 digits padded to
32x32), so :func:`digits_dataset` upsamples them bilinearly. No download: the file is
part of scikit-learn's wheel. Taught in ``notebooks/01_cnn_vit/02_history.ipynb``.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import TensorDataset

from scratchvision.validate import Checker

DIGITS_SPLITS = ("train", "test")


def _split_indices(
    labels: np.ndarray, test_fraction: float, seed: int
) -> dict[str, np.ndarray]:
    """A stratified split of the digits into train and test indices.

    Within each class, a seeded permutation sends a fixed share to test.
    """
    rng = np.random.default_rng(seed)
    train, test = [], []
    for digit in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == digit))
        n_test = round(test_fraction * len(members))
        test.append(members[:n_test])
        train.append(members[n_test:])
    return {
        "train": np.sort(np.concatenate(train)),
        "test": np.sort(np.concatenate(test)),
    }


def digits_dataset(
    *, split: str = "train", size: int = 32, seed: int = 0, test_fraction: float = 0.2
) -> TensorDataset:
    """scikit-learn's digits as ``(image, label)`` pairs.

    Images are Tensor[1, size, size] in [0, 1], labels int64.

    Args:
        split: ``"train"`` or ``"test"``; the two are disjoint and together hold all
            1,797 digits.
        size: side of the upsampled image (8 keeps the original scans).
        seed: seed of the split; the same seed always gives the same split.
        test_fraction: share of each digit class that goes to ``"test"``.

    Returns:
        ``TensorDataset`` of images ``Tensor[N, 1, size, size]`` (float32) and labels
        ``Tensor[N]``.
    """
    _check_digits_args(split, size, seed, test_fraction)
    from sklearn.datasets import load_digits  # here: only this lesson needs sklearn

    digits = load_digits()
    rows = _split_indices(digits.target, test_fraction, seed)[split]
    images = (
        torch.from_numpy(digits.images[rows]).float()[:, None] / 16.0
    )  # (N, 1, 8, 8), 16 = white
    if size != 8:
        images = F.interpolate(
            images, size=(size, size), mode="bilinear", align_corners=False
        )  # (N, 1, S, S)
    labels = torch.from_numpy(digits.target[rows]).long()  # (N,)
    return TensorDataset(images.clamp(0.0, 1.0), labels)


def _check_digits_args(split, size, seed, test_fraction) -> None:
    check = Checker("digits_dataset")
    check.choice("split", split, DIGITS_SPLITS)
    check.int("size", size, min_value=8)
    check.int("seed", seed, min_value=0)
    check.range("test_fraction", test_fraction, low=0.0, high=1.0)

"""Opt-in loaders for real datasets (never used by tests or notebooks by default).

The course runs offline on ShapeWorld and bundled photos. A reader who wants real
data calls e.g. :func:`cifar10` with ``download=True`` once, on a machine with network.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from scratchvision.validate import Checker

if TYPE_CHECKING:
    from torchvision.datasets import CIFAR10


def cifar10(
    root: str | os.PathLike,
    *,
    train: bool = True,
    download: bool = False,
    transform: Callable | None = None,
) -> CIFAR10:
    """CIFAR-10 (Krizhevsky 2009) from ``root/cifar-10-batches-py``, via torchvision.

    Args:
        root: folder holding (or to receive) ``cifar-10-batches-py``.
        train: the 50 000 training images, else the 10 000 test images.
        download: must be set explicitly to ``True`` to fetch the 170 MB archive.
        transform: applied to each image after its conversion to a tensor.

    Returns:
        A ``Dataset`` of ``(image Tensor[3, 32, 32] float32 in [0, 1], label int)``;
        ``.classes`` holds the class names.
    """
    _check_cifar_args(root, train, download, transform)
    # torchvision is imported here, not at the top: ``import scratchvision.data`` stays
    # quick, and only a reader who asks for CIFAR-10 pays for it
    from scratchvision.data.cifar_files import CIFAR_FOLDER, CIFAR10FilesOnly, files

    folder = os.path.join(os.fspath(root), CIFAR_FOLDER)
    missing = [f for f in files() if not os.path.isfile(os.path.join(folder, f))]
    if missing and not download:
        raise FileNotFoundError(
            f"cifar10: no CIFAR-10 files in {folder} (missing {', '.join(missing)}). "
            "Pass download=True to fetch them (needs network, about 170 MB), or point "
            "root at a folder that contains cifar-10-batches-py."
        )
    return CIFAR10FilesOnly(
        os.fspath(root), train=train, download=download, transform=transform
    )


def _check_cifar_args(root, train, download, transform) -> None:
    check = Checker("cifar10")
    check.that(
        isinstance(root, (str, os.PathLike)),
        f"root must be a folder path (str or os.PathLike), got {type(root).__name__}",
    )
    check.bool("train", train)
    check.bool("download", download)
    check.callable("transform", transform, optional=True)

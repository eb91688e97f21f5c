"""Opt-in loaders for real datasets (never used by tests or notebooks by default).

The course runs offline on ShapeWorld and bundled photos. A reader who wants real
data calls e.g. :func:`cifar10` with ``download=True`` once, on a machine with network.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import torch
from torchvision.datasets import CIFAR10
from torchvision.transforms import Compose
from torchvision.transforms.functional import pil_to_tensor

_CIFAR_FOLDER = "cifar-10-batches-py"


class _CIFAR10FilesOnly(CIFAR10):
    """torchvision's CIFAR10, with the per-file md5 checks turned off.

    torchvision verifies the md5 of every batch file on load (``check_integrity`` with
    the md5 listed in ``train_list``, ``test_list`` and ``meta``). A ``None`` md5 makes
    that a presence check, so a small file in the same pickle format, such as the
    tests write, also loads. The downloaded archive is still checked
    (``tgz_md5`` is untouched), and a damaged batch file fails when it is unpickled.
    """

    train_list = [[name, None] for name, _ in CIFAR10.train_list]
    test_list = [[name, None] for name, _ in CIFAR10.test_list]
    meta = {**CIFAR10.meta, "md5": None}


def _pil_to_float(image) -> torch.Tensor:
    return pil_to_tensor(image).float() / 255.0  # (3, 32, 32)


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
    folder = os.path.join(os.fspath(root), _CIFAR_FOLDER)
    files = [name for name, _ in CIFAR10.train_list + CIFAR10.test_list]
    files.append(CIFAR10.meta["filename"])
    missing = [f for f in files if not os.path.isfile(os.path.join(folder, f))]
    if missing and not download:
        raise FileNotFoundError(
            f"cifar10: no CIFAR-10 files in {folder} (missing {', '.join(missing)}). "
            "Pass download=True to fetch them (needs network, about 170 MB), or point "
            "root at a folder that contains cifar-10-batches-py."
        )
    to_tensor = (
        _pil_to_float if transform is None else Compose([_pil_to_float, transform])
    )
    return _CIFAR10FilesOnly(
        os.fspath(root), train=train, download=download, transform=to_tensor
    )

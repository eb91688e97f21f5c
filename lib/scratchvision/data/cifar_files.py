"""torchvision's CIFAR-10 dataset, checked by file presence; used by ``cifar10()``.

This is the only module of ``scratchvision.data`` that imports torchvision, and only
:func:`scratchvision.data.real.cifar10` imports it, when it is called.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torchvision.datasets import CIFAR10
from torchvision.transforms import Compose
from torchvision.transforms.functional import pil_to_tensor

CIFAR_FOLDER = "cifar-10-batches-py"


def files() -> list[str]:
    """The file names a complete ``cifar-10-batches-py`` folder holds."""
    batches = [name for name, _ in CIFAR10.train_list + CIFAR10.test_list]
    return [*batches, CIFAR10.meta["filename"]]


def pil_to_float(image) -> torch.Tensor:
    return pil_to_tensor(image).float() / 255.0  # (3, 32, 32)


class CIFAR10FilesOnly(CIFAR10):
    """torchvision's CIFAR10, with the per-file md5 checks turned off.

    torchvision verifies the md5 of every batch file on load (``check_integrity`` with
    the md5 listed in ``train_list``, ``test_list`` and ``meta``). A ``None`` md5 makes
    that a presence check, so a small file in the same pickle format, such as the
    tests write, also loads. The downloaded archive is still checked
    (``tgz_md5`` is untouched), and a damaged batch file fails when it is unpickled.
    Images come as float tensors in [0, 1]; ``transform`` runs after that conversion.
    """

    train_list = [[name, None] for name, _ in CIFAR10.train_list]
    test_list = [[name, None] for name, _ in CIFAR10.test_list]
    meta = {**CIFAR10.meta, "md5": None}

    def __init__(
        self, root: str, *, train: bool, download: bool, transform: Callable | None
    ):
        to_float = (
            pil_to_float if transform is None else Compose([pil_to_float, transform])
        )
        super().__init__(root, train=train, download=download, transform=to_float)

"""The opt-in CIFAR-10 loader, on small files in the real CIFAR-10 pickle format."""

import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch
from scratchvision.data import cifar10

NAMES = [
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
]


def write_fake_cifar(root, per_batch=4):
    """Write cifar-10-batches-py as CIFAR-10 does: pickled dicts whose ``data`` rows
    are 3072 uint8 values (the R, G and B planes of a 32 x 32 image)."""
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    for b, name in enumerate(names):
        data = rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8)
        data[:, 0] = b  # tag pixel (0, 0) of the red plane with the batch number
        labels = [(b + i) % 10 for i in range(per_batch)]
        with open(folder / name, "wb") as f:
            pickle.dump({"data": data, "labels": labels, "batch_label": name}, f)
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({"label_names": NAMES, "num_vis": 3072}, f)
    return folder


def test_cifar10_loads_fake_files(tmp_path):
    write_fake_cifar(tmp_path)
    train = cifar10(tmp_path)
    test = cifar10(str(tmp_path), train=False)
    assert len(train) == 20 and len(test) == 4 and train.classes == NAMES
    image, label = train[5]
    assert image.shape == (3, 32, 32) and image.dtype == torch.float32
    assert 0 <= image.min() and image.max() <= 1
    assert label == (1 + 1) % 10  # second item of data_batch_2
    assert image[0, 0, 0] == pytest.approx(1 / 255)
    assert test[0][0][0, 0, 0] == pytest.approx(5 / 255)


def test_cifar10_transform_after_tensor(tmp_path):
    write_fake_cifar(tmp_path)
    flipped = cifar10(tmp_path, transform=lambda x: x.flip(-1))
    assert torch.equal(flipped[0][0], cifar10(tmp_path)[0][0].flip(-1))


def test_cifar10_missing_files_explain_opt_in(tmp_path):
    with pytest.raises(FileNotFoundError, match="download=True"):
        cifar10(tmp_path)
    folder = write_fake_cifar(tmp_path)
    (folder / "test_batch").unlink()
    with pytest.raises(FileNotFoundError, match="test_batch"):
        cifar10(tmp_path, train=True)


def test_dataset_pickles_for_worker_processes(tmp_path):
    write_fake_cifar(tmp_path)
    data = pickle.loads(pickle.dumps(cifar10(tmp_path)))
    assert torch.equal(data[3][0], cifar10(tmp_path)[3][0])


def test_download_is_keyword_only(tmp_path):
    with pytest.raises(TypeError):
        cifar10(tmp_path, True, True)


def test_importing_data_does_not_import_torchvision():
    """torchvision (about a second of import time) loads only when cifar10() runs."""
    code = (
        "import sys, scratchvision.data\n"
        "assert 'torchvision' not in sys.modules, 'import scratchvision.data "
        "imported torchvision'\n"
        "from scratchvision.data import ShapeWorld, natural_images\n"
        "ShapeWorld(size=16).scene(0)\n"
        "assert 'torchvision' not in sys.modules, 'rendering a scene imported it'\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr

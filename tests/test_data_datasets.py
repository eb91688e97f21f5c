"""ShapeWorld datasets: items, lengths, determinism, splits, caching, collation."""

import pickle

import pytest
import torch
from scratchvision.data import (
    SPLIT_SIZE,
    ShapeClassification,
    ShapeDetection,
    ShapeSegmentation,
    ShapeUnlabeled,
    ShapeWorld,
    collate_detection,
    shapeworld_classify,
    shapeworld_detect,
)
from torch.utils.data import DataLoader

DATASETS = [ShapeClassification, ShapeDetection, ShapeSegmentation, ShapeUnlabeled]


@pytest.fixture(scope="module")
def world():
    return shapeworld_detect(size=32)


def test_classification_items():
    world = shapeworld_classify(size=32)
    data = ShapeClassification(world, 12, seed=3)
    assert len(data) == 12
    labels = []
    for index in range(len(data)):
        image, label = data[index]
        assert image.shape == (3, 32, 32) and image.dtype == torch.float32
        assert isinstance(label, int) and 0 <= label < len(world.classes)
        scene = world.scene(3 + index)
        assert torch.equal(image, scene.image) and label == int(scene.labels[0])
        labels.append(label)
    assert len(set(labels)) > 1


def test_classification_label_is_largest_object(world):
    data = ShapeClassification(world, 10)
    for index in range(10):
        scene = world.scene(index)
        areas = scene.masks.flatten(1).sum(1)
        assert data[index][1] == int(scene.labels[areas.argmax()])


def test_detection_items_and_collate(world):
    data = ShapeDetection(world, 6)
    image, target = data[2]
    scene = world.scene(2)
    assert torch.equal(image, scene.image)
    assert set(target) == {"boxes", "labels", "masks"}
    assert torch.equal(target["boxes"], scene.boxes) and torch.equal(
        target["masks"], scene.masks
    )
    images, targets = next(
        iter(DataLoader(data, batch_size=4, collate_fn=collate_detection))
    )
    assert images.shape == (4, 3, 32, 32) and len(targets) == 4
    assert [len(t["labels"]) for t in targets] == [
        len(data[i][1]["labels"]) for i in range(4)
    ]
    with pytest.raises(ValueError, match="batch"):
        collate_detection([])


def test_segmentation_items(world):
    image, semantic = ShapeSegmentation(world, 3, split="val")[1]
    scene = world.scene(SPLIT_SIZE + 1)
    assert semantic.shape == (32, 32) and semantic.dtype == torch.long
    assert torch.equal(semantic, scene.semantic) and torch.equal(image, scene.image)


def test_unlabeled_items_and_transform(world):
    two_views = ShapeUnlabeled(world, 4, transform=lambda x: (x, x.flip(-1)))
    first, second = two_views[0]
    assert torch.equal(second, first.flip(-1))
    assert ShapeUnlabeled(world, 4)[0].shape == (3, 32, 32)


@pytest.mark.parametrize("cls", DATASETS)
def test_determinism_and_indexing(cls, world):
    a, b = cls(world, 5, seed=10), cls(world, 5, seed=10)
    for index in (0, 4, -1):
        first, second = a[index], b[index]
        first = first[0] if isinstance(first, tuple) else first
        second = second[0] if isinstance(second, tuple) else second
        assert torch.equal(first, second)
    with pytest.raises(IndexError):
        a[5]
    assert len(list(a)) == 5  # iteration stops at IndexError


def test_dataset_pickles_for_worker_processes(world):
    data = ShapeDetection(world, 3, seed=4)
    copy = pickle.loads(pickle.dumps(data))
    assert copy.world == world and torch.equal(copy[1][0], data[1][0])


def test_splits_use_disjoint_seeds(world):
    seeds = {
        split: {ShapeUnlabeled(world, 50, split=split).seed_of(i) for i in range(50)}
        for split in ("train", "val", "test")
    }
    assert not seeds["train"] & seeds["val"] and not seeds["val"] & seeds["test"]
    assert not seeds["train"] & seeds["test"]
    train, val = ShapeUnlabeled(world, 20), ShapeUnlabeled(world, 20, split="val")
    train_images = [train[i] for i in range(20)]
    assert not any(
        torch.equal(val[i], image) for i in range(20) for image in train_images
    )
    with pytest.raises(ValueError, match="seed"):
        ShapeUnlabeled(world, 10, seed=SPLIT_SIZE - 5)


def test_cache_keeps_transform_random(world):
    calls = []

    def count(image):
        calls.append(1)
        return image + len(calls)

    data = ShapeUnlabeled(world, 2, transform=count, cache=True)
    assert not torch.equal(data[0], data[0])  # the transform still runs each time
    assert len(data._cache) == 1 and len(calls) == 2


def test_classification_needs_objects():
    data = ShapeClassification(ShapeWorld(n_objects=(0, 0), size=16), 2)
    with pytest.raises(ValueError, match="n_objects"):
        data[0]


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(n=-1), "n"),
        (dict(n=2, seed=-3), "seed"),
        (dict(n=2, split="dev"), "split"),
        (dict(n=2.5), "n"),
    ],
)
def test_bad_arguments(kwargs, name, world):
    with pytest.raises(ValueError, match=name):
        ShapeDetection(world, **kwargs)
    with pytest.raises(ValueError, match="world"):
        ShapeDetection("not a world", 3)

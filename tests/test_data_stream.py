"""ShapeWorld streams: the on-disk scene cache, fresh and cycled streams, dihedral."""

import pytest
import torch
from scratchvision.data import (
    ShapeClassification,
    ShapeWorld,
    classification_stream,
    dihedral,
    render_scenes,
    shapeworld_classify,
)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty scene cache in a temporary folder."""
    monkeypatch.setenv("SCRATCHVISION_CACHE", str(tmp_path))
    return tmp_path / "shapeworld"


@pytest.fixture
def world():
    return shapeworld_classify(size=16)


def no_rendering(monkeypatch):
    """From now on, rendering a scene fails the test."""

    def scene(self, seed):
        raise AssertionError(f"scene {seed} was rendered again")

    monkeypatch.setattr(ShapeWorld, "scene", scene)


def as_bytes(images: torch.Tensor) -> list[bytes]:
    """Each image (floats in [0, 1] or uint8) as the bytes of its uint8 pixels."""
    if images.is_floating_point():
        images = (images * 255).round().to(torch.uint8)
    return [image.numpy().tobytes() for image in images]


def take(stream, n):
    images, labels = zip(*(next(stream) for _ in range(n)))
    return list(images), list(labels)


def test_render_scenes_writes_the_cache_once_and_reads_it_back(
    cache, world, monkeypatch
):
    images, labels = render_scenes(world, 24, split="val", seed=5)
    assert images.shape == (24, 3, 16, 16) and images.dtype == torch.uint8
    assert labels.shape == (24,) and labels.dtype == torch.int64
    files = sorted(p.name for p in cache.iterdir())
    assert len(files) == 1 and files[0].endswith("-val-5-24.pt"), files  # no .tmp
    render_scenes(shapeworld_classify(size=16, noise=0.0), 24, split="val", seed=5)
    assert len(list(cache.iterdir())) == 2  # another world, another file

    no_rendering(monkeypatch)
    again, again_labels = render_scenes(world, 24, split="val", seed=5)
    assert torch.equal(again, images) and torch.equal(again_labels, labels)
    with pytest.raises(AssertionError, match="rendered again"):
        render_scenes(world, 24, split="val", seed=6)  # other seeds: not in the cache
    with pytest.raises(AssertionError, match="rendered again"):
        render_scenes(world, 24, split="test", seed=5)  # nor other splits


def test_rendered_scenes_are_the_dataset_items_in_uint8(cache, world):
    images, labels = render_scenes(world, 20, split="test", seed=3)
    dataset = ShapeClassification(world, 20, seed=3, split="test")
    expected = torch.stack([dataset[i][0] for i in range(20)])  # (20, 3, 16, 16)
    error = (images.float() / 255 - expected).abs().max().item()
    assert error <= 0.5 / 255 + 1e-6, f"uint8 rounding off by {error * 255:.2f} / 255"
    assert labels.tolist() == [dataset[i][1] for i in range(20)]


def test_a_fresh_stream_renders_new_scenes_for_every_chunk(cache, world):
    stream = classification_stream(world, batch_size=8, chunk=16, seed=0)
    images, labels = take(stream, 4)  # two chunks of two batches
    assert all(x.shape == (8, 3, 16, 16) and x.dtype == torch.float32 for x in images)
    assert all(0 <= x.min() and x.max() <= 1 for x in images)
    first, second = as_bytes(torch.cat(images[:2])), as_bytes(torch.cat(images[2:]))
    assert len(set(first + second)) == 32, "a scene came back in a later chunk"
    # chunk k holds scenes 16 k .. 16 k + 15 of the train split, each once, and
    # each image comes with its own label
    for k, got in enumerate((first, second)):
        rendered, truth = render_scenes(world, 16, split="train", seed=16 * k)
        assert sorted(got) == sorted(as_bytes(rendered))
        label_of = dict(zip(as_bytes(rendered), truth.tolist()))
        got_labels = torch.cat(labels[2 * k : 2 * k + 2]).tolist()
        assert [label_of[image] for image in got] == got_labels


def test_a_stream_of_n_scenes_cycles_over_exactly_those_scenes(cache, world):
    stream = classification_stream(world, batch_size=8, n_scenes=16, chunk=8, seed=1)
    images, _ = take(stream, 6)  # three passes of two batches
    rendered = sorted(as_bytes(render_scenes(world, 16, split="train", seed=0)[0]))
    passes = [as_bytes(torch.cat(images[i : i + 2])) for i in (0, 2, 4)]
    for one_pass in passes:
        assert sorted(one_pass) == rendered, "a pass is not the 16 scenes, each once"
    assert passes[1] != passes[0] or passes[2] != passes[0], "never reshuffled"


def test_the_stream_order_is_a_function_of_its_seed(cache, world):
    def batches(seed):
        stream = classification_stream(world, batch_size=8, chunk=16, seed=seed)
        return torch.cat(take(stream, 2)[0])

    assert torch.equal(batches(0), batches(0))
    assert not torch.equal(batches(0), batches(1))


def symmetries(image: torch.Tensor) -> list[torch.Tensor]:
    """The 8 symmetries of a square image (..., S, S): 4 rotations, each mirrored."""
    turns = [torch.rot90(image, k, dims=(-2, -1)) for k in range(4)]
    return turns + [t.flip(-1) for t in turns]


def test_dihedral_applies_one_of_the_eight_symmetries_to_each_image():
    images = torch.rand(200, 2, 4, 4, generator=torch.Generator().manual_seed(0))
    out = dihedral(images, torch.Generator().manual_seed(1))
    assert out.shape == images.shape
    used = []
    for image, moved in zip(images, out):
        matches = [i for i, s in enumerate(symmetries(image)) if torch.equal(s, moved)]
        assert len(matches) == 1, "not a symmetry of its own image"
        used.append(matches[0])
        # the same pixels, only moved
        assert torch.equal(moved.flatten().sort()[0], image.flatten().sort()[0])
    assert sorted(set(used)) == list(range(8)), "some symmetry never drawn"
    assert torch.equal(
        dihedral(images, torch.Generator().manual_seed(1)), out
    )  # the generator alone decides


def test_augmentation_moves_images_and_keeps_their_labels(cache, world):
    def first_chunk(augment):
        stream = classification_stream(
            world, batch_size=8, chunk=16, augment=augment, seed=0
        )
        images, labels = take(stream, 2)
        return torch.cat(images), torch.cat(labels)

    plain, plain_labels = first_chunk(False)
    moved, moved_labels = first_chunk(True)
    assert torch.equal(moved_labels, plain_labels)
    for image, changed in zip(plain, moved):
        assert any(torch.equal(s, changed) for s in symmetries(image))
    assert not torch.equal(moved, plain), "augment=True moved no image"


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"n": 0}, "n"),
        ({"n": 2.5}, "n"),
        ({"split": "dev"}, "split"),
        ({"seed": -1}, "seed"),
        ({"world": "classify"}, "world"),
    ],
)
def test_render_scenes_refuses_bad_input(cache, world, kwargs, word):
    arguments = {"world": world, "n": 4, "split": "train", "seed": 0, **kwargs}
    with pytest.raises((ValueError, TypeError), match=rf"\b{word}\b"):
        render_scenes(arguments.pop("world"), arguments.pop("n"), **arguments)
    assert not cache.exists() or not any(cache.iterdir()), "rendered anyway"


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"world": None}, "world"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": "8"}, "batch_size"),
        ({"n_scenes": 4}, "n_scenes"),  # fewer scenes than one batch
        ({"n_scenes": 8.0}, "n_scenes"),
        ({"augment": 1}, "augment"),
        ({"augment": "yes"}, "augment"),
        ({"chunk": 4}, "chunk"),
        ({"seed": 1.5}, "seed"),
    ],
)
def test_classification_stream_refuses_bad_input(cache, world, kwargs, word):
    arguments = {"world": world, "batch_size": 8, "chunk": 16, **kwargs}
    with pytest.raises((ValueError, TypeError), match=rf"\b{word}\b"):
        next(classification_stream(arguments.pop("world"), **arguments))


@pytest.mark.parametrize(
    "images, generator, word",
    [
        ([[0.0]], torch.Generator(), "images"),
        (torch.rand(3, 4, 4), torch.Generator(), "images"),
        (torch.rand(2, 3, 4, 5), torch.Generator(), "images"),  # not square
        (torch.rand(2, 3, 4, 4), 0, "generator"),
    ],
)
def test_dihedral_refuses_bad_input(images, generator, word):
    with pytest.raises((ValueError, TypeError), match=rf"\b{word}\b"):
        dihedral(images, generator)

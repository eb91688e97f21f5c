"""Natural images bundled with scikit-image / scikit-learn, their split, and patches."""

import pytest
import torch
from scratchvision.data import (
    PatchSampler,
    natural_images,
    natural_split,
    sample_patches,
)
from skimage.color import rgb2gray


@pytest.fixture(scope="module")
def images():
    return natural_images()


def test_natural_images_offline(no_network):
    images = natural_images(names=["camera", "china"])
    assert list(images) == ["camera", "china"]
    assert images["camera"].shape == (3, 512, 512)  # grayscale replicated
    assert images["china"].shape == (3, 427, 640)


def test_all_images_rgb_in_unit_range(images):
    assert len(images) >= 15
    assert {"astronaut", "camera", "coffee", "china", "flower"} <= set(images)
    for name, image in images.items():
        assert (
            image.dtype == torch.float32 and image.ndim == 3 and image.shape[0] == 3
        ), name
        assert 0 <= image.min() and image.max() <= 1 and image.std() > 0.01, name


def test_gray_matches_skimage():
    gray = natural_images(gray=True, names=["astronaut", "moon"])
    assert gray["astronaut"].shape == (1, 512, 512) and gray["moon"].shape == (
        1,
        512,
        512,
    )
    colour = natural_images(names=["astronaut"])["astronaut"].permute(1, 2, 0).numpy()
    reference = torch.from_numpy(rgb2gray(colour)).float()
    assert torch.allclose(gray["astronaut"][0], reference, atol=1e-5)


def test_fresh_tensors_each_call():
    first = natural_images(names=["coins"])["coins"]
    first.zero_()
    assert natural_images(names=["coins"])["coins"].max() > 0


def test_split_by_image(images):
    train, test = natural_split()
    assert set(train).isdisjoint(test) and set(train) | set(test) == set(images)
    assert natural_split() == (train, test)
    train, test = natural_split(held_out=("coffee",))
    assert test == ["coffee"] and "coffee" not in train
    with pytest.raises(ValueError, match="held_out"):
        natural_split(held_out=("lena",))
    with pytest.raises(ValueError, match="names"):
        natural_images(names=["lena"])


def test_sample_patches(images):
    train, _ = natural_split()
    pool = {name: images[name] for name in train}
    patches = sample_patches(pool, 16, 24, generator=torch.Generator().manual_seed(0))
    assert patches.shape == (16, 3, 24, 24)
    again = sample_patches(pool, 16, 24, generator=torch.Generator().manual_seed(0))
    assert torch.equal(patches, again)
    # Every patch really is a crop of one of the images.
    small = [torch.zeros(1, 8, 8), torch.ones(1, 10, 9)]
    crops = sample_patches(small, 50, 4, generator=torch.Generator().manual_seed(1))
    assert crops.shape == (50, 1, 4, 4)
    assert set(crops.flatten(1).mean(1).tolist()) == {0.0, 1.0}
    assert sample_patches(small, 0, 4).shape == (0, 1, 4, 4)


def test_patch_sampler_dataset():
    sources = [torch.arange(400.0).reshape(1, 20, 20)]
    data = PatchSampler(sources, 30, 5, seed=2)
    assert len(data) == 30 and data[3].shape == (1, 5, 5)
    assert torch.equal(data[7], PatchSampler(sources, 30, 5, seed=2)[7])
    patch = data[0]
    top, left = divmod(int(patch[0, 0, 0]), 20)
    assert torch.equal(patch, sources[0][:, top : top + 5, left : left + 5])
    data[1].zero_()
    assert sources[0].max() == 399  # items are copies


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: sample_patches([torch.zeros(3, 8, 8)], 2, 9), "size"),
        (lambda: sample_patches([torch.zeros(8, 8)], 2, 4), "images"),
        (lambda: sample_patches([], 2, 4), "images"),
        (
            lambda: sample_patches([torch.zeros(3, 8, 8), torch.zeros(1, 8, 8)], 2, 4),
            "channels",
        ),
        (lambda: PatchSampler([torch.zeros(3, 8, 8)], 0, 4), "n"),
    ],
)
def test_bad_arguments(call, name):
    with pytest.raises(ValueError, match=name):
        call()

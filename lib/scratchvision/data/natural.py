"""Natural photographs shipped in scikit-image and scikit-learn, and patches of them.

Restoration chapters (denoising, deblurring, super-resolution) need real images,
but the course never downloads anything. scikit-image bundles a few dozen test
images in its wheel (``skimage.data.data_dir``) and fetches the rest on demand;
scikit-learn bundles two photos. :func:`natural_images` loads **only files present
in those packages**, so it works with no network.

Train on patches of some images and test on *other* images
(:func:`natural_split`): patches of one photo are strongly correlated, so a split
by patch would leak.

Used by chapter 5 (``book/ch5_computational_imaging.md``).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import torch
from einops import rearrange
from torch.utils.data import Dataset

from scratchvision.validate import check_choice, check_int, check_tensor

#: name -> (skimage.data function, bundled file). Left out on purpose: synthetic images
#: (logo, phantom, checkerboard, colour wheel, horse silhouette), ``clock`` (blurred on
#: purpose: a deblurring input, not a clean target) and the ``lfw_subset`` face stack.
_SKIMAGE = {
    "astronaut": ("astronaut", "astronaut.png"),
    "brick": ("brick", "brick.png"),
    "camera": ("camera", "camera.png"),
    "cell": ("cell", "cell.png"),
    "chelsea": ("chelsea", "chelsea.png"),
    "coffee": ("coffee", "coffee.png"),
    "coins": ("coins", "coins.png"),
    "grass": ("grass", "grass.png"),
    "gravel": ("gravel", "gravel.png"),
    "hubble_deep_field": ("hubble_deep_field", "hubble_deep_field.jpg"),
    "immunohistochemistry": ("immunohistochemistry", "ihc.png"),
    "microaneurysms": ("microaneurysms", "microaneurysms.png"),
    "moon": ("moon", "moon.png"),
    "motorcycle": ("stereo_motorcycle", "motorcycle_left.png"),
    "page": ("page", "page.png"),
    "retina": ("retina", "retina.jpg"),
    "rocket": ("rocket", "rocket.jpg"),
    "text": ("text", "text.png"),
}
_SKLEARN = {"china": "china.jpg", "flower": "flower.jpg"}

#: Images held out for testing by default: one portrait, one colour scene, one texture.
DEFAULT_HELD_OUT = ("astronaut", "china", "gravel")


def _bundled() -> list[str]:
    """Names of the images whose files are inside the installed packages, sorted."""
    import skimage.data

    # Calling a skimage.data function for a file that is not bundled would try to
    # download it, so only list those whose file is in the package.
    found = [
        name
        for name, (_, filename) in _SKIMAGE.items()
        if os.path.isfile(os.path.join(skimage.data.data_dir, filename))
    ]
    return sorted(found + list(_SKLEARN))


@functools.cache
def _load(name: str) -> np.ndarray:
    """Read one bundled image, as a uint8 array ``(H, W)`` or ``(H, W, 3)``.

    Cached: the files never change, and decoding the large ones takes a while.
    Callers get copies (:func:`_to_tensor`), so the cache cannot be modified.
    """
    if name in _SKLEARN:
        from sklearn.datasets import load_sample_image

        return load_sample_image(_SKLEARN[name])
    import skimage.data

    array = getattr(skimage.data, _SKIMAGE[name][0])()
    return array[0] if isinstance(array, tuple) else array  # stereo pair: the left view


def _to_tensor(array: np.ndarray, gray: bool) -> torch.Tensor:
    image = (
        torch.tensor(array, dtype=torch.float32) / 255.0
    )  # a copy: the cache stays intact
    image = (
        rearrange(image, "h w c -> c h w") if image.ndim == 3 else image[None]
    )  # (C, H, W)
    if gray and image.shape[0] == 3:
        weights = torch.tensor(
            [0.2125, 0.7154, 0.0721]
        )  # ITU-R 709 luma, as skimage.rgb2gray
        return (weights[:, None, None] * image).sum(0, keepdim=True)  # (1, H, W)
    if not gray and image.shape[0] == 1:
        return image.expand(3, -1, -1).clone()  # (3, H, W)
    return image


def natural_images(
    *, gray: bool = False, names: Sequence[str] | None = None
) -> dict[str, torch.Tensor]:
    """Every natural photo bundled with scikit-image and scikit-learn, offline.

    Args:
        gray: ``False`` gives every image as ``Tensor[3, H, W]`` (grayscale ones
            replicated); ``True`` gives ``Tensor[1, H, W]`` luminance for all.
        names: load only these (default: all, sorted by name).

    Returns:
        dict name -> float32 ``Tensor[C, H, W]`` in [0, 1]; fresh tensors on every call.
    """
    available = _bundled()
    names = available if names is None else [names] if isinstance(names, str) else names
    for name in names:
        check_choice("names", name, available, fn="natural_images")
    return {name: _to_tensor(_load(name), gray) for name in names}


def natural_split(
    *, held_out: Sequence[str] = DEFAULT_HELD_OUT
) -> tuple[list[str], list[str]]:
    """Split the natural images *by image* into ``(train_names, test_names)``.

    Deterministic: test is ``held_out`` (sorted), train is every other image (sorted).
    """
    available = _bundled()
    held_out = [held_out] if isinstance(held_out, str) else held_out
    for name in held_out:
        check_choice("held_out", name, available, fn="natural_split")
    test = sorted(set(held_out))
    return [n for n in available if n not in test], test


def _as_list(
    images: Mapping[str, torch.Tensor] | Sequence[torch.Tensor], size: int, fn: str
) -> list[torch.Tensor]:
    images = list(images.values()) if isinstance(images, Mapping) else list(images)
    if not images:
        raise ValueError(f"{fn}: images must not be empty")
    for image in images:
        check_tensor("images", image, ndim=3, dims="(C, H, W)", floating=True, fn=fn)
        if image.shape[0] != images[0].shape[0]:
            raise ValueError(
                f"{fn}: images must all have the same number of channels, "
                f"got {images[0].shape[0]} and {image.shape[0]}"
            )
        if min(image.shape[1:]) < size:
            raise ValueError(
                f"{fn}: size must be <= every image side, got size={size} "
                f"for an image of shape {tuple(image.shape)}"
            )
    return images


def _corners(
    images: list[torch.Tensor], n: int, size: int, generator: torch.Generator | None
) -> torch.Tensor:
    """``n`` uniformly random crops as rows ``(image index, top, left)``."""
    which = torch.randint(len(images), (n,), generator=generator)  # (n,)
    u = torch.rand(n, 2, generator=generator)  # (n, 2)
    room = torch.tensor(
        [[im.shape[1] - size + 1, im.shape[2] - size + 1] for im in images]
    )
    top_left = (u * room[which]).long()  # (n, 2)
    return torch.cat([which[:, None], top_left], dim=1)  # (n, 3)


def _crop(images: list[torch.Tensor], corner: torch.Tensor, size: int) -> torch.Tensor:
    i, top, left = corner.tolist()
    return images[i][:, top : top + size, left : left + size].clone()  # (C, size, size)


def sample_patches(
    images: Mapping[str, torch.Tensor] | Sequence[torch.Tensor],
    n: int,
    size: int,
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """``n`` random ``size × size`` crops: pick an image uniformly, then a position.

    Images are picked uniformly, not by area, so one large photo does not swamp the
    rest.

    Args:
        images: a dict (as from :func:`natural_images`) or list of ``Tensor[C, H, W]``,
            all with the same ``C``.
        n: number of patches; ``size``: patch side in pixels.
        generator: a ``torch.Generator`` for reproducible crops.

    Returns:
        Tensor[n, C, size, size]
    """
    check_int("n", n, min_value=0, fn="sample_patches")
    check_int("size", size, min_value=1, fn="sample_patches")
    images = _as_list(images, size, "sample_patches")
    if n == 0:
        return images[0].new_zeros(0, images[0].shape[0], size, size)
    corners = _corners(images, n, size, generator)  # (n, 3)
    return torch.stack(
        [_crop(images, corner, size) for corner in corners]
    )  # (n, C, size, size)


class PatchSampler(Dataset):
    """A fixed, reproducible set of ``n`` random patches, as a ``Dataset``.

    Crop positions are drawn once from ``seed``; each item is cut on demand, so the
    dataset costs no memory beyond the source images.

    Args:
        images: dict or list of ``Tensor[C, H, W]`` (e.g. the train split of
            :func:`natural_images`).
        n: number of patches; size: patch side.
        seed: seeds the crop positions. transform: applied to each patch.

    Items: ``Tensor[C, size, size]`` (or whatever ``transform`` returns).
    """

    def __init__(
        self,
        images: Mapping[str, torch.Tensor] | Sequence[torch.Tensor],
        n: int,
        size: int,
        *,
        seed: int = 0,
        transform: Callable | None = None,
    ):
        check_int("n", n, min_value=1, fn="PatchSampler")
        check_int("size", size, min_value=1, fn="PatchSampler")
        check_int("seed", seed, min_value=0, fn="PatchSampler")
        self.images = _as_list(images, size, "PatchSampler")
        self.size, self.transform = size, transform
        generator = torch.Generator().manual_seed(seed)
        self.corners = _corners(self.images, n, size, generator)  # (n, 3)

    def __len__(self) -> int:
        return len(self.corners)

    def __getitem__(self, index: int) -> torch.Tensor:
        patch = _crop(self.images, self.corners[index], self.size)  # (C, size, size)
        return self.transform(patch) if self.transform else patch

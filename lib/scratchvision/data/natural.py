"""Natural photographs shipped in scikit-image and scikit-learn, and patches of them.

Restoration chapters (denoising, deblurring, super-resolution) need real images,
but the course never downloads anything. scikit-image bundles a few dozen test
images in its wheel (``skimage.data.data_dir``) and fetches the rest on demand;
scikit-learn bundles two photos. :func:`natural_images` loads **only files present
in those packages** (:mod:`~scratchvision.data.bundled`), so it works with no network.

Train on patches of some images and test on *other* images
(:func:`natural_split`): patches of one photo are strongly correlated, so a split
by patch would leak.

Used by chapter 5 (``book/ch5_computational_imaging.md``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import torch
from einops import rearrange
from torch.utils.data import Dataset

from scratchvision.data.bundled import bundled, read, select
from scratchvision.validate import Checker

#: Images held out for testing by default: one portrait, one colour scene, one texture.
DEFAULT_HELD_OUT = ("astronaut", "china", "gravel")


def _to_tensor(array: np.ndarray, gray: bool) -> torch.Tensor:
    # torch.tensor copies, so the cache of decoded files stays intact
    image = torch.tensor(array, dtype=torch.float32) / 255.0
    image = rearrange(image, "h w c -> c h w") if image.ndim == 3 else image[None]
    if gray and image.shape[0] == 3:
        luma = torch.tensor([0.2125, 0.7154, 0.0721])  # ITU-R 709, as skimage.rgb2gray
        return (luma[:, None, None] * image).sum(0, keepdim=True)  # (1, H, W)
    if not gray and image.shape[0] == 1:
        return image.expand(3, -1, -1).clone()  # (3, H, W)
    return image  # (C, H, W)


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
    names = _check_natural_args(gray, names)
    return {name: _to_tensor(read(name), gray) for name in names}


def natural_split(
    *, held_out: Sequence[str] = DEFAULT_HELD_OUT
) -> tuple[list[str], list[str]]:
    """Split the natural images *by image* into ``(train_names, test_names)``.

    Deterministic: test is ``held_out`` (sorted), train is every other image (sorted).
    """
    test = _check_held_out(held_out)
    return [n for n in bundled() if n not in test], test


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
    images = _check_patch_args("sample_patches", images, n, size, generator=generator)
    if n == 0:
        return images[0].new_zeros(0, images[0].shape[0], size, size)
    corners = _corners(images, n, size, generator)  # (n, 3)
    patches = [_crop(images, corner, size) for corner in corners]
    return torch.stack(patches)  # (n, C, size, size)


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
        self.images = _check_patch_args(
            "PatchSampler", images, n, size, seed=seed, transform=transform
        )
        self.size, self.transform = size, transform
        generator = torch.Generator().manual_seed(seed)
        self.corners = _corners(self.images, n, size, generator)  # (n, 3)

    def __len__(self) -> int:
        return len(self.corners)

    def __getitem__(self, index: int) -> torch.Tensor:
        patch = _crop(self.images, self.corners[index], self.size)  # (C, size, size)
        return self.transform(patch) if self.transform else patch


def _check_natural_args(gray, names) -> list[str]:
    check = Checker("natural_images")
    check.bool("gray", gray)
    return select(check, "names", names)


def _check_held_out(held_out) -> list[str]:
    check = Checker("natural_split")
    test = sorted(set(select(check, "held_out", held_out)))
    check.that(
        0 < len(test) < len(bundled()),
        f"held_out must hold out at least one image and keep at least one for "
        f"training, got {held_out!r}",
    )
    return test


def _check_patch_args(
    fn, images, n, size, *, generator=None, seed=None, transform=None
) -> list[torch.Tensor]:
    """Check a patch request; return the source images as a list.

    ``sample_patches`` may ask for no patch; a ``PatchSampler`` holds at least one.
    """
    check = Checker(fn)
    check.int("n", n, min_value=0 if seed is None else 1)
    check.int("size", size, min_value=1)
    if seed is not None:
        check.int("seed", seed, min_value=0)
    check.callable("transform", transform, optional=True)
    check.that(
        generator is None or isinstance(generator, torch.Generator),
        f"generator must be a torch.Generator or None, got {type(generator).__name__}",
    )
    check.that(
        isinstance(images, (Mapping, list, tuple)),
        f"images must be a dict or list of images, got {type(images).__name__}",
    )
    images = list(images.values()) if isinstance(images, Mapping) else list(images)
    check.that(len(images) > 0, "images must not be empty")
    for image in images:
        dims = "(C, H, W)"
        check.tensor("images", image, ndim=3, dims=dims, floating=True, finite=True)
        check.that(
            image.shape[0] == images[0].shape[0],
            f"images must all have the same number of channels, got "
            f"{images[0].shape[0]} and {image.shape[0]}",
        )
        check.that(
            min(image.shape[1:]) >= size,
            f"size must be <= every image side, got size={size} for an image of "
            f"shape {tuple(image.shape)}",
        )
    return images

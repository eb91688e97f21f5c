"""Which photographs ship inside the installed scikit-image and scikit-learn wheels.

scikit-image bundles a few dozen test images in its wheel (``skimage.data.data_dir``)
and downloads the rest on first use; scikit-learn bundles two photos. This module
lists and reads **only the bundled files**, so nothing ever touches the network.
:func:`~scratchvision.data.natural.natural_images` turns them into tensors.
"""

from __future__ import annotations

import functools
import os

import numpy as np

from scratchvision.validate import Checker

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


def bundled() -> list[str]:
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
def read(name: str) -> np.ndarray:
    """Read one bundled image, as a uint8 array ``(H, W)`` or ``(H, W, 3)``.

    Cached: the files never change, and decoding the large ones takes a while.
    Callers must copy before modifying (``natural_images`` does), to keep the cache
    intact.
    """
    if name in _SKLEARN:
        from sklearn.datasets import load_sample_image

        return load_sample_image(_SKLEARN[name])
    import skimage.data

    array = getattr(skimage.data, _SKIMAGE[name][0])()
    return array[0] if isinstance(array, tuple) else array  # stereo pair: the left view


def select(check: Checker, argument: str, names) -> list[str]:
    """Check a selection of bundled images: None (all), one name or a list of names."""
    available = bundled()
    if names is None:
        return available
    names = [names] if isinstance(names, str) else names
    check.that(
        isinstance(names, (list, tuple)),
        f"{argument} must be a name or a list of names, got {names!r}",
    )
    return [check.choice(argument, name, available) for name in names]

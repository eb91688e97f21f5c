"""Feature networks for perceptual comparisons: a fixed random CNN, and VGG16.

A perceptual metric or loss compares images in the feature space of a CNN instead of
pixel by pixel (Johnson et al. 2016; Zhang et al. 2018). Which network gives the
features is a choice of its own, so it lives here, apart from the metric
(``metrics.perceptual_distance``) and the loss (``imaging.losses.perceptual_loss``) that
take it as ``features=``:

* ``random_features``: the offline default, a fixed CNN with random weights;
* ``vgg16_features()``: the opt-in ImageNet network of LPIPS and SRGAN (VGG16's
  convolutions; the weights come from torchvision's cache, never downloaded unasked).

A feature network maps Tensor[B, C, H, W] in [0, 1] to a list of feature maps, one per
layer, and treats the images of a batch independently.

Taught in ``notebooks/05_imaging/04_losses.ipynb``.
"""

from __future__ import annotations

import math
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from scratchvision.validate import check_choice, check_int, check_tensor


def random_features(
    img: torch.Tensor, *, widths: tuple[int, ...] = (16, 32, 64), seed: int = 0
) -> list[torch.Tensor]:
    """Multi-scale features of a fixed random CNN: the default, offline feature space.

    Stage ``s`` is two 3x3 conv + ReLU layers of ``widths[s]`` channels (He-normal
    weights drawn from ``seed``, the same on every call), after a 2x average pool for
    ``s > 0``. Untrained convolutions already respond to edges and textures at several
    scales (the structure of a CNN is itself an image prior: Ulyanov et al. 2018, "Deep
    image prior"). Zhang et al. 2018 (Fig. 1) keep random networks as a baseline:
    trained features agree with human judgments clearly better, so pass those as
    ``features=`` when they are available.

    Args:
        img (Tensor[B, C, H, W]): images in [0, 1].

    Returns:
        one Tensor[B, widths[s], H / 2^s, W / 2^s] per stage.
    """
    _check_random_features(img, widths, seed)
    g = torch.Generator().manual_seed(seed)
    x, c, feats = 2 * img - 1, img.shape[1], []
    for s, width in enumerate(widths):
        if s > 0:
            x = F.avg_pool2d(x, 2)  # (B, c, H / 2^s, W / 2^s)
        for _ in range(2):
            he = math.sqrt(2 / (9 * c))  # He et al. 2015: keeps the signal's variance
            w = he * torch.randn(width, c, 3, 3, generator=g)  # (width, c, 3, 3)
            x = F.relu(F.conv2d(x, w.to(x), padding=1))  # (B, width, H/2^s, W/2^s)
            c = width
        feats.append(x)
    return feats


# VGG16's 13 convolutions in five stages, a 2x max-pool between stages
VGG16_STAGES = ((64, 64), (128, 128), (256, 256, 256), (512, 512, 512), (512, 512, 512))
VGG16_TAPS = (3, 8, 15, 22, 29)  # relu1_2 ... relu5_3, the last ReLU of each stage
VGG16_URLS = {  # torchvision's weights
    "IMAGENET1K_V1": "https://download.pytorch.org/models/vgg16-397923af.pth"
}


class VGG16Features(nn.Module):
    """VGG16's convolutions (Simonyan & Zisserman 2015) returning the five LPIPS layers.

    Input: Tensor[B, 3, H, W] in [0, 1], ImageNet-normalised inside. Output: five
    feature maps, Tensor[B, 64, H, W] ... Tensor[B, 512, H / 16, W / 16].
    """

    def __init__(self):
        super().__init__()
        layers, c = [], 3
        for i, stage in enumerate(VGG16_STAGES):
            layers += [nn.MaxPool2d(2)] if i > 0 else []
            for width in stage:
                layers += [nn.Conv2d(c, width, 3, padding=1), nn.ReLU()]
                c = width
        self.layers = nn.Sequential(*layers)  # indices match torchvision's .features
        self.register_buffer("mean", torch.tensor([0.485, 0.456, 0.406])[:, None, None])
        self.register_buffer("std", torch.tensor([0.229, 0.224, 0.225])[:, None, None])

    def forward(self, img: torch.Tensor) -> list[torch.Tensor]:
        _check_rgb_batch("VGG16Features.forward", img)
        x, out = (img - self.mean) / self.std, []
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i in VGG16_TAPS:
                out.append(x)  # (B, C_l, H / 2^l, W / 2^l)
        return out


def vgg16_features(
    weights: str | None = "IMAGENET1K_V1", *, download: bool = False
) -> VGG16Features:
    """The opt-in, online ImageNet features for ``perceptual_distance(features=...)``.

    ``weights='IMAGENET1K_V1'`` loads torchvision's VGG16 weights from the torch hub
    cache (``$TORCH_HOME/hub/checkpoints``); nothing is downloaded unless
    ``download=True``. ``weights=None`` gives random weights (offline, for tests).

    Returns:
        a frozen ``VGG16Features`` in eval mode; move it with ``.to(device)`` like any
        model.

    Raises:
        FileNotFoundError: the weights are not cached and ``download`` is False.
    """
    _check_vgg16(weights, download)
    model = VGG16Features()
    if weights is not None:
        url = VGG16_URLS[weights]
        cached = Path(torch.hub.get_dir()) / "checkpoints" / Path(url).name
        if not cached.exists() and not download:
            raise FileNotFoundError(
                f"vgg16_features: {weights} weights are not cached at {cached}; pass "
                "download=True (needs internet) or put the file there, or use "
                "perceptual_distance's offline default"
            )
        # check_hash: the file name ends in the first digits of its SHA-256
        state = torch.hub.load_state_dict_from_url(
            url, progress=download, map_location="cpu", check_hash=True
        )
        conv = {
            k.removeprefix("features."): v
            for k, v in state.items()
            if k.startswith("features.")
        }
        model.layers.load_state_dict(conv)
    return model.eval().requires_grad_(False)


def _check_rgb_batch(fn: str, img) -> None:
    """A feature net's input: a finite float batch of RGB images, (B, 3, H, W)."""
    check_tensor(
        "img",
        img,
        ndim=4,
        dims="(B, 3, H, W)",
        channels=3,
        floating=True,
        finite=True,
        fn=fn,
    )


def _check_random_features(img, widths, seed) -> None:
    fn = "random_features"
    check_tensor(
        "img",
        img,
        ndim=4,
        dims="(B, C, H, W)",
        floating=True,
        finite=True,
        nonempty=True,
        fn=fn,
    )
    if not (
        isinstance(widths, (tuple, list))
        and widths
        and all(
            isinstance(w, int) and not isinstance(w, bool) and w > 0 for w in widths
        )
    ):
        raise ValueError(
            f"{fn}: widths must be a tuple of positive ints, got {widths!r}"
        )
    check_int("seed", seed, min_value=0, fn=fn)


def _check_vgg16(weights, download) -> None:
    check_choice("weights", weights, [*VGG16_URLS, None], fn="vgg16_features")
    if not isinstance(download, bool):
        raise ValueError(
            f"vgg16_features: download must be True or False, got {download!r}"
        )


class ZooFeatures(nn.Module):
    """The first stages of a course-trained classifier, frozen: features for a loss.

    A perceptual loss needs a network whose features respond to what a viewer notices:
    edges, corners, textures. The course trains such networks itself, offline, in
    chapter 1; the first ``n_stages`` stages of the zoo's ``vgg-shapeworld`` (VGG's
    plan of 3x3 conv-BN-ReLU stages, like the VGG16 of Johnson et al. 2016; 99 % on
    ShapeWorld) give maps at full, half and quarter resolution. Its images are in
    [0, 1], as the classifier saw them.

    Args:
        name: a zoo card whose model has a ``body`` of stages (``backbones.VGG``).
        n_stages: how many stages to keep; the output has one map per stage.
    """

    def __init__(self, name: str = "vgg-shapeworld", *, n_stages: int = 3) -> None:
        super().__init__()
        from scratchvision import zoo  # the zoo builds models from every chapter

        check_int("n_stages", n_stages, min_value=1, fn="ZooFeatures")
        model = zoo.load(name)
        body = getattr(model, "body", None)
        if not isinstance(body, nn.Sequential) or n_stages > len(body):
            raise ValueError(
                f"ZooFeatures: name must be a zoo card whose model has a body of at "
                f"least n_stages={n_stages} stages, got {name!r}"
            )
        self.name, self.stages = name, body[:n_stages]
        self.eval().requires_grad_(False)

    def train(self, mode: bool = True) -> ZooFeatures:
        return super().train(False)  # frozen: BatchNorm keeps its running statistics

    def forward(self, img: torch.Tensor) -> list[torch.Tensor]:
        """img (Tensor[B, 3, H, W]) in [0, 1] -> a map (B, C_s, H_s, W_s) per stage."""
        _check_rgb_batch("ZooFeatures.forward", img)
        x, out = img, []
        for stage in self.stages:
            x = stage(x)
            out.append(x)
        return out

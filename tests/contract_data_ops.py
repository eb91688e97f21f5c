"""Bad-input cases for `scratchvision.ops` (but attention), `data` and `checks`.

See ``tests/contract.py`` for the harness. Empty batches are *not* bad input for an op
(``conv2d`` of no images is no images; ``tests/test_ops_*.py`` checks that), so the
ops cases try ranks, dtypes, channels, sizes and non-tensors.
"""

from __future__ import annotations

import atexit
import dataclasses
import functools
import os
import shutil
import tempfile
from pathlib import Path
from unittest import mock

import torch
import torch.nn.functional as F
from contract import (
    EXTRA_DIM,
    IMAGE,
    INTEGER_DTYPE,
    MISSING_DIM,
    NONNEGATIVE,
    NOT_TENSOR,
    SIZE,
    TENSOR,
    WRONG_CHANNELS,
    Case,
    Mutation,
)
from scratchvision import checks, data, ops

NAN, INF = float("nan"), float("inf")
TWO_DIMS = Mutation("2-D", lambda t: t[0, 0])  # for ops that also take one image
CROP_H = Mutation("height not divisible", lambda t: t[..., :-1, :])
PAIR = (0, -1, 2.5, "3", (1, 2, 3))  # an int or (h, w) pair of positive ints


def _randn(*shape):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(0))


# ---- ops -------------------------------------------------------------------------


def _conv_good():
    return dict(input=_randn(2, 4, 8, 8), weight=_randn(6, 4, 3, 3), bias=_randn(6))


_CONV_BAD = dict(
    input=(NOT_TENSOR, EXTRA_DIM, TWO_DIMS, INTEGER_DTYPE, WRONG_CHANNELS),
    weight=(NOT_TENSOR, MISSING_DIM, EXTRA_DIM, WRONG_CHANNELS, INTEGER_DTYPE),
    bias=(NOT_TENSOR, Mutation("wrong length", lambda t: t[:-1]), EXTRA_DIM),
    stride=PAIR,
    padding=(-1, 2.5, "1"),
    dilation=(0, -1, 5),  # 5: the dilated kernel no longer fits
    groups=(0, -1, 2.5, 3),  # 3 divides neither 4 nor 6
)

_POOL_BAD = dict(
    input=(NOT_TENSOR, EXTRA_DIM, TWO_DIMS, INTEGER_DTYPE),
    kernel_size=(*PAIR, 20),
    stride=(0, -1, 2.5),
    padding=(-1, 2),  # 2 > half of kernel_size 2
)


def _pool_good():
    return dict(input=_randn(2, 3, 8, 8), kernel_size=2, stride=None, padding=0)


OPS = [
    Case("ops.conv2d", ops.conv2d, _conv_good, _CONV_BAD),
    Case("ops.conv2d_naive", ops.conv2d_naive, _conv_good, _CONV_BAD),
    Case(
        "ops.im2col",
        ops.im2col,
        lambda: dict(input=_randn(2, 3, 7, 8), kernel_size=(3, 2), pad_value=0.0),
        dict(
            input=TENSOR,
            kernel_size=(*PAIR, 9),  # 9 > the input's 7 rows
            stride=PAIR,
            padding=(-1, 2.5),
            dilation=(0, 5),
            pad_value=(NAN, "0", None),
        ),
    ),
    Case("ops.max_pool2d", ops.max_pool2d, _pool_good, _POOL_BAD),
    Case("ops.avg_pool2d", ops.avg_pool2d, _pool_good, _POOL_BAD),
    Case(
        "ops.conv_output_size",
        ops.conv_output_size,
        lambda: dict(size=32, kernel=3, stride=2, padding=1, dilation=1),
        dict(
            size=(-1, 2.5, "32"),
            kernel=(*SIZE, 40),  # 40 > the padded 34 pixels
            stride=SIZE,
            padding=NONNEGATIVE,
            dilation=(*SIZE, 20),
        ),
    ),
    Case(
        "ops.receptive_field",
        ops.receptive_field,
        lambda: dict(layers=[(3, 1, 1), (3, 2, 1)]),
        dict(layers=(3, "abc", [(3, 1)], [(3, 0, 1)], [(3, 1, 1.5)], [3])),
    ),
    Case(
        "ops.patchify",
        ops.patchify,
        lambda: dict(images=_randn(2, 3, 8, 12), patch_size=4),
        dict(images=(*TENSOR, CROP_H), patch_size=(*SIZE, 5)),
    ),
    Case(
        "ops.unpatchify",
        ops.unpatchify,
        lambda: dict(
            tokens=_randn(2, 6, 48), patch_size=4, height=8, width=12, channels=3
        ),
        dict(
            tokens=(*TENSOR, Mutation("one token too few", lambda t: t[:, 1:])),
            patch_size=(*SIZE, 3),
            height=(*SIZE, 10),
            width=(*SIZE, 16),  # divisible, but then the token count is wrong
            channels=(*SIZE, 1),
        ),
    ),
    Case(
        "ops.window_partition",
        ops.window_partition,
        lambda: dict(x=_randn(2, 8, 12, 5), window=4),
        dict(
            x=(*TENSOR, Mutation("H not divisible", lambda t: t[:, 1:])),
            window=(*SIZE, 3),
        ),
    ),
    Case(
        "ops.window_reverse",
        ops.window_reverse,
        lambda: dict(windows=_randn(12, 16, 5), window=4, height=8, width=12),
        dict(
            windows=(*TENSOR, Mutation("one window too few", lambda t: t[1:])),
            window=(*SIZE, 3),
            height=(*SIZE, 6),
            width=(*SIZE, 6),
        ),
    ),
    Case(
        "ops.cyclic_shift",
        ops.cyclic_shift,
        lambda: dict(x=_randn(2, 8, 8, 3), shift=2),
        dict(x=TENSOR, shift=(2.5, "1", None)),
    ),
    *(
        Case(
            f"ops.{name}",
            getattr(ops, name),
            lambda: dict(height=8, width=12, window=4, shift=2),
            dict(
                height=(*SIZE, 6),  # 0: the empty mask that was once returned
                width=(*SIZE, 6),
                window=(*SIZE, 3),
                shift=(-1, 2.5, 4),  # 4: not < window
            ),
        )
        for name in ("shift_regions", "shifted_window_mask")
    ),
]


# ---- data ------------------------------------------------------------------------


def _world(**settings):
    return data.shapeworld_easy(size=16, **settings)


@functools.cache
def _fake_cifar_root() -> Path:
    from test_data_real import write_fake_cifar

    root = Path(tempfile.mkdtemp(prefix="contract-cifar-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    write_fake_cifar(root)
    return root


@functools.cache
def _scratch_cache() -> Path:
    root = Path(tempfile.mkdtemp(prefix="contract-cache-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return root


def _cached(fn):
    """``fn``, with rendered scenes cached in a scratch folder, not the reader's."""

    def call(**kwargs):
        with mock.patch.dict(os.environ, SCRATCHVISION_CACHE=str(_scratch_cache())):
            return fn(**kwargs)

    return call


def _first_batch(**kwargs):
    return next(data.classification_stream(**kwargs))  # the checks run on next()


def _scene_fields():
    scene = _world().scene(0)
    return {f.name: getattr(scene, f.name) for f in dataclasses.fields(scene)}


def _object_fields():
    return dict(
        shape="star", colour="red", size="small", position=(3.0, 4.0), depth=2.0
    )


def _dataset_case(cls):
    def read_first(**kwargs):
        return cls(**kwargs)[0]  # the item, so that a world without objects is caught

    world = data.shapeworld_classify(size=16)
    return Case(
        f"data.{cls.__name__}",
        read_first,
        lambda: dict(world=world, n=3, seed=0, split="train"),
        dict(
            world=("world", None),
            n=(-1, 2.5, "3", data.SPLIT_SIZE + 1),
            seed=(-1, 2.5, data.SPLIT_SIZE - 1),  # seed + n past the split
            split=("dev", None),
            transform=(3, "flip"),
            cache=("yes", 1),
        ),
    )


_PATCH_IMAGES = (
    Mutation("nested lists", lambda images: [im.tolist() for im in images]),
    Mutation("empty", lambda images: []),
    Mutation("2-D image", lambda images: [images[0][0]]),
    Mutation("NaN pixel", lambda images: [IMAGE[-1].make(images[0])]),
    Mutation("channels differ", lambda images: [images[0], images[0][:1]]),
    Mutation("integer image", lambda images: [images[0].long()]),
)


def _patch_images():
    return [torch.rand(3, 16, 16, generator=torch.Generator().manual_seed(1))]


DATA = [
    Case(
        "data.ShapeWorld",
        data.ShapeWorld,
        lambda: dict(size=16),
        dict(
            size=(*SIZE, 4),
            classes=("blob", (), ("circle", "circle")),
            colours=("mauve", ("red", "red")),
            n_objects=((3, 1), -1, (1, 2.5)),
            scale=((0.3, 0.1), (0.1, 0.9), (NAN, 0.2), 0.2),
            rotation=(-5, NAN, "90"),
            aspect=(0.5, INF, NAN),
            colour_jitter=(-0.1, NAN),
            noise=(NAN, -0.1, INF, 2.0),
            distractors=((2, 1), -1),
            background=("fancy", ()),
            min_visible=(0, NAN, 1.5),
            supersample=SIZE,
        ),
    ),
    Case(
        "data.ShapeWorld.scene",
        lambda seed: _world().scene(seed),
        lambda: dict(seed=0),
        dict(seed=(-1, 2.5, "3", None)),
    ),
    Case(
        "data.Scene",
        data.Scene,
        _scene_fields,
        dict(
            image=(*IMAGE, WRONG_CHANNELS, INTEGER_DTYPE),
            boxes=(NOT_TENSOR, MISSING_DIM, Mutation("3 columns", lambda t: t[:, :3])),
            labels=(NOT_TENSOR, EXTRA_DIM, Mutation("float", lambda t: t.float())),
            masks=(NOT_TENSOR, MISSING_DIM, Mutation("float", lambda t: t.float())),
            semantic=(NOT_TENSOR, EXTRA_DIM, Mutation("crop", lambda t: t[1:])),
            depth=(NOT_TENSOR, MISSING_DIM),
            objects=((), None),
            caption=(None, 3),
        ),
    ),
    Case(
        "data.ObjectInfo",
        data.ObjectInfo,
        _object_fields,
        dict(
            shape=("", 3),
            colour=("", None),
            size=("huge", 1),
            position=((1.0,), (NAN, 0.0), "centre"),
            depth=(NAN, -1.0, "far"),
            visible=(1.5, -0.1, NAN),
        ),
    ),
    *(
        _dataset_case(cls)
        for cls in (
            data.ShapeClassification,
            data.ShapeDetection,
            data.ShapeSegmentation,
            data.ShapeUnlabeled,
        )
    ),
    Case(
        "data.render_scenes",
        _cached(data.render_scenes),
        lambda: dict(world=data.shapeworld_classify(size=16), n=2, split="train"),
        dict(
            world=("world", None),
            n=SIZE,
            split=("dev", None),
            seed=(-1, 2.5, "0", data.SPLIT_SIZE - 1),  # seed + n past the split
        ),
    ),
    Case(
        "data.classification_stream",
        _cached(_first_batch),
        lambda: dict(
            world=data.shapeworld_classify(size=16),
            batch_size=4,
            n_scenes=8,
            augment=True,
            chunk=8,
            seed=0,
        ),
        dict(
            world=("world", None),
            batch_size=SIZE,
            n_scenes=(*SIZE, 2),  # 2 < batch_size
            augment=("yes", 1),
            chunk=(*SIZE, 2),
            seed=(-1, 2.5, "0"),
        ),
    ),
    Case(
        "data.dihedral",
        data.dihedral,
        lambda: dict(images=_randn(2, 3, 4, 4), generator=torch.Generator()),
        dict(images=(*TENSOR, CROP_H), generator=(0, "seed", None)),
    ),
    Case(
        "data.collate_detection",
        data.collate_detection,
        lambda: dict(batch=[data.ShapeDetection(_world(), 2)[i] for i in range(2)]),
        dict(
            batch=(
                [],
                None,
                Mutation("not pairs", lambda b: [item[0] for item in b]),
                Mutation("no target dict", lambda b: [(b[0][0], None)]),
                Mutation("sizes differ", lambda b: [b[0], (b[1][0][:, 1:], b[1][1])]),
            )
        ),
    ),
    Case(
        "data.benchmark_scenes",
        data.benchmark_scenes,
        lambda: dict(world=_world(), n=1),
        dict(world=("world", None), n=SIZE),
    ),
    Case(
        "data.cifar10",
        data.cifar10,
        lambda: dict(root=_fake_cifar_root(), train=True, download=False),
        dict(root=(3, None), train=("yes", 1), download=("no", 0), transform=(3,)),
    ),
    Case(
        "data.digits_dataset",
        data.digits_dataset,
        lambda: dict(split="test", size=8),
        dict(
            split=("val", None),
            size=(*SIZE, 7),
            seed=(-1, 2.5),
            test_fraction=(-0.1, 1.5, NAN, "0.2"),
        ),
    ),
    Case(
        "data.natural_images",
        data.natural_images,
        lambda: dict(names=["coins"], gray=True),
        dict(names=("lena", ["coins", "lena"], 3), gray=("yes", 1)),
    ),
    Case(
        "data.natural_split",
        data.natural_split,
        lambda: dict(held_out=("coffee",)),
        dict(held_out=("lena", (), None, 3)),  # None would hold out every image
    ),
    Case(
        "data.sample_patches",
        data.sample_patches,
        lambda: dict(images=_patch_images(), n=4, size=8),
        dict(
            images=(*_PATCH_IMAGES, "photo"),
            n=(-1, 2.5, "4"),
            size=(*SIZE, 17),  # 17 > the 16-pixel image
            generator=(0, "seed"),
        ),
    ),
    Case(
        "data.PatchSampler",
        data.PatchSampler,
        lambda: dict(images=_patch_images(), n=4, size=8, seed=0),
        dict(
            images=_PATCH_IMAGES,
            n=SIZE,
            size=(*SIZE, 17),
            seed=(-1, 2.5),
            transform=(3,),
        ),
    ),
    *(
        Case(
            f"data.{name}",
            getattr(data, name),
            lambda: dict(size=16),
            dict(size=(0, 4), noise=(NAN, -1.0), colour=("red",)),  # colour: a typo
        )
        for name in ("shapeworld_easy", "shapeworld_classify", "shapeworld_detect")
    ),
]


# ---- checks: a checker needs a function to check ------------------------------


def _residual_forward(x, conv1, bn1, conv2, bn2):
    return F.relu(bn2(conv2(F.relu(bn1(conv1(x))))) + x)


def _reference(name):
    """A right answer for checker ``name``, so that its good call passes; imported
    only for that checker."""
    from scratchvision.checks import ch1_history, ch1_vit, ch5_imaging

    if name == "wmsa_flops":
        from scratchvision.backbones.swin import wmsa_flops

        return wmsa_flops
    if name in ("random_masking", "mae_loss", "dino_loss", "update_center"):
        from scratchvision import selfsup

        return getattr(selfsup, name)
    if name in ("average_frames", "gan_d_loss", "perceptual_loss"):
        from scratchvision.imaging import blur, losses

        return getattr(blur if name == "average_frames" else losses, name)
    library = dict(
        stacked_conv_params=ch1_history._stacked_conv_params,
        residual_block=_residual_forward,
        vit_tokens=ch1_vit._vit_tokens,
        noise_sigma=ch5_imaging._noise_sigma,
        pixel_shuffle=F.pixel_shuffle,
        wiener_filter=ch5_imaging._wiener_filter,
    )
    return library[name] if name in library else getattr(ops, name)


def _checker_case(name):
    def call(fn, **options):
        assert getattr(checks, name)(fn, **options), f"checks.{name} failed its answer"

    bad = dict(fn=(3, "my_fn", None))
    if name == "conv2d":
        bad["full"] = ("yes", 1)
    return Case(f"checks.{name}", call, lambda: dict(fn=_reference(name)), bad)


CHECKS = [
    *(_checker_case(name) for name in sorted(checks.__all__) if name != "compare"),
    Case(
        "checks.compare",
        checks.compare,
        lambda: dict(
            name="relu",
            fn=F.relu,
            reference=torch.relu,
            cases=[((_randn(3, 4),), {})],
        ),
        dict(
            name=("", 3),
            fn=(3, None),
            reference=("relu",),
            cases=([], None),
        ),
    ),
]

CASES = [*OPS, *DATA, *CHECKS]

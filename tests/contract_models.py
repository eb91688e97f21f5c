"""Bad-input cases for the model rooms: ``backbones``, ``blocks`` and ``explain``.

One ``Case`` per public callable of their ``__all__``; a module has a case for its
constructor (``"blocks.MLP"``) and one for its forward (``"blocks.MLP.forward"``).
See ``tests/contract.py`` for the harness.
"""

from __future__ import annotations

import torch
from contract import (
    EMPTY,
    IMAGE,
    INF,
    INTEGER_DTYPE,
    MISSING_DIM,
    NAN,
    NOT_TENSOR,
    POSITIVE,
    PROBABILITY,
    SIZE,
    TENSOR,
    WRONG_CHANNELS,
    Case,
    Mutation,
)
from scratchvision import backbones as bb
from scratchvision import blocks, explain
from scratchvision.ops import attention as attention_op
from torch import nn

FLAG = ("yes", 1)  # a bool argument
PAIR = (0, -1, (2,), "3")  # an int or (h, w) pair >= 1
IMAGES = (*IMAGE, INF, WRONG_CHANNELS)  # what every model's forward refuses


def images(c=3, side=32, b=2):
    return torch.rand(b, c, side, side, generator=torch.Generator().manual_seed(0))


def enter(door, **kwargs):
    with door(**kwargs):
        pass


def forward(build, **kwargs):
    """A module's forward case: build the module (eval), call it on the kwargs."""
    return lambda **inputs: build().eval()(**inputs, **kwargs)


# ---------------------------------------------------------------- backbones: CNNs
CNN_CASES = [
    Case(
        "backbones.LeNet",
        bb.LeNet,
        lambda: {"in_channels": 1, "num_classes": 10, "activation": "tanh"},
        {"in_channels": SIZE, "num_classes": SIZE, "activation": ("gelu", 3)},
    ),
    Case(
        "backbones.LeNet.forward",
        lambda images: bb.LeNet()(images),
        lambda: {"images": images(c=1)},
        {"images": (*IMAGES, torch.rand(2, 1, 28, 28))},
    ),
    Case(
        "backbones.AlexNet",
        bb.AlexNet,
        lambda: {"widths": (8, 8, 8, 8, 8), "hidden": 16, "dropout": 0.5},
        {
            "in_channels": SIZE,
            "num_classes": SIZE,
            "widths": ((8, 8, 8), (8, 8, 8, 8, 0), "8"),
            "hidden": SIZE,
            "activation": ("gelu",),
            "dropout": PROBABILITY,
        },
    ),
    Case(
        "backbones.AlexNet.forward",
        lambda images: bb.AlexNet(widths=(8,) * 5, hidden=16).eval()(images),
        lambda: {"images": images()},
        {"images": IMAGES},
    ),
    Case(
        "backbones.VGG",
        bb.VGG,
        lambda: {"stages": (1, 1), "widths": (8, 16), "dropout": 0.1},
        {
            "stages": ((), (1, 0), "11"),
            "widths": ((8,), (8, 0)),
            "num_classes": SIZE,
            "in_channels": SIZE,
            "batch_norm": FLAG,
            "dropout": PROBABILITY,
        },
    ),
    Case(
        "backbones.VGG.forward",
        lambda images: bb.VGG(stages=(1, 1), widths=(8, 16)).eval()(images),
        lambda: {"images": images()},
        {"images": IMAGES},
    ),
    Case(
        "backbones.vgg_small",
        bb.vgg_small,
        lambda: {"num_classes": 10, "in_channels": 3},
        {"num_classes": SIZE, "in_channels": SIZE},
    ),
    Case(
        "backbones.vgg11_small",
        bb.vgg11_small,
        lambda: {"num_classes": 10},
        {"num_classes": SIZE, "in_channels": SIZE},
    ),
    Case(
        "backbones.ResNet",
        bb.ResNet,
        lambda: {"layers": (1, 1), "widths": (8, 16)},
        {
            "block": ("wide",),
            "layers": ((), (1, 0), "11"),
            "widths": ((8,), (8, 0), (16, 8)),
            "num_classes": SIZE,
            "in_channels": SIZE,
            "residual": FLAG,
            "stem": ("tiny",),
            "shortcut": ("none",),
            "zero_init_residual": FLAG,
        },
    ),
    Case(
        "backbones.ResNet.forward",
        lambda images: bb.ResNet(layers=(1, 1), widths=(8, 16)).eval()(images),
        lambda: {"images": images()},
        {"images": IMAGES},
    ),
    Case(
        "backbones.resnet_cifar",
        bb.resnet_cifar,
        lambda: {"depth": 8},
        {
            "depth": (21, -4, 2.5, "20"),
            "block": ("wide",),
            "residual": FLAG,
            "num_classes": SIZE,
            "in_channels": SIZE,
            "stem": ("tiny",),
        },
    ),
    *[
        Case(
            f"backbones.{preset.__name__}",
            preset,
            lambda: {"num_classes": 10},
            {"num_classes": SIZE, "in_channels": SIZE},
        )
        for preset in (bb.resnet8, bb.resnet29_bottleneck)
    ],
    *[
        Case(
            f"backbones.{preset.__name__}",
            preset,
            lambda: {"stem": "imagenet"},
            {"num_classes": SIZE, "in_channels": SIZE, "stem": ("tiny", 3)},
        )
        for preset in (bb.resnet20, bb.plain20)
    ],
]


# ---------------------------------------------------------- backbones: transformers
def small_vit():
    return bb.ViT(image_size=16, patch_size=4, dim=16, depth=2, heads=2).eval()


def small_swin():
    return bb.Swin(image_size=16, patch_size=2, dim=8, depths=(1, 1), heads=(2, 2))


TRANSFORMER_CASES = [
    Case(
        "backbones.ViT",
        bb.ViT,
        lambda: {"image_size": 16, "patch_size": 4, "dim": 16, "depth": 1, "heads": 2},
        {
            "image_size": (*PAIR, 18),
            "patch_size": SIZE,
            "in_channels": SIZE,
            "num_classes": SIZE,
            "dim": (*SIZE, 15),
            "depth": SIZE,
            "heads": (*SIZE, 3),
            "mlp_ratio": POSITIVE,
            "dropout": PROBABILITY,
            "pos_embed": ("rope",),
            "pool": ("max",),
            "tokenizer": ("pixels", None),
            "locality": FLAG,
        },
    ),
    Case(
        "backbones.ViT.forward",
        lambda images: small_vit()(images),
        lambda: {"images": images(side=16)},
        {"images": (*IMAGES, torch.rand(2, 3, 18, 18))},
    ),
    Case(
        "backbones.ViT.embed",
        lambda images, keep=None: small_vit().embed(images, keep=keep),
        lambda: {"images": images(side=16), "keep": torch.tensor([[0, 3], [5, 15]])},
        {
            "images": IMAGES,
            "keep": (
                *TENSOR,
                torch.tensor([[0.0, 3.0], [5.0, 15.0]]),
                torch.tensor([[0, 16], [1, 2]]),
                torch.tensor([[0, 1]]),
            ),
        },
    ),
    Case(
        "backbones.ViT.encode_tokens",
        lambda tokens, grid=None: small_vit().encode_tokens(tokens, grid=grid),
        lambda: {"tokens": torch.randn(2, 17, 16), "grid": (4, 4)},
        {
            "tokens": (*TENSOR, INTEGER_DTYPE, torch.randn(2, 17, 8)),
            "grid": (0, (3, 3), "4"),
        },
    ),
    *[
        Case(
            f"backbones.{preset.__name__}",
            preset,
            lambda: {"image_size": 16, "patch_size": 4},
            {"num_classes": SIZE, "dim": SIZE, "depth": SIZE, "dropout": PROBABILITY},
        )
        for preset in (bb.vit_tiny, bb.vit_small)
    ],
    Case(
        "backbones.mean_attention_distance",
        bb.mean_attention_distance,
        lambda: {"probs": torch.rand(1, 2, 6, 6), "grid": (2, 3), "patch_size": 4},
        {
            "probs": (*TENSOR, NAN, INTEGER_DTYPE, EMPTY, torch.rand(1, 2, 7, 7)),
            "grid": PAIR,
            "patch_size": SIZE,
        },
    ),
    Case(
        "backbones.Swin",
        bb.Swin,
        lambda: {
            "image_size": 16,
            "patch_size": 2,
            "dim": 8,
            "depths": (1, 1),
            "heads": (2, 2),
        },  # fmt: skip
        {
            "image_size": (*PAIR, 18),
            "patch_size": SIZE,
            "in_channels": SIZE,
            "num_classes": SIZE,
            "dim": SIZE,
            "depths": ((), (1, 0), "11"),
            "heads": ((2,), (2, 0)),
            "window": SIZE,
            "mlp_ratio": POSITIVE,
            "shifted": FLAG,
            "relative_bias": FLAG,
        },
    ),
    Case(
        "backbones.Swin.forward",
        lambda images: small_swin().eval()(images),
        lambda: {"images": images(side=16)},
        {"images": (*IMAGES, torch.rand(2, 3, 32, 32))},
    ),
    Case(
        "backbones.SwinBlock",
        bb.SwinBlock,
        lambda: {"dim": 8, "heads": 2, "window": 4, "shift": 2},
        {
            "dim": (*SIZE, 7),
            "heads": SIZE,
            "window": SIZE,
            "shift": (-1, 4, 2.5),
            "mlp_ratio": POSITIVE,
        },
    ),
    Case(
        "backbones.SwinBlock.forward",
        lambda x: bb.SwinBlock(8, heads=2, window=4, shift=2)(x),
        lambda: {"x": torch.randn(2, 8, 8, 8)},
        {
            "x": (
                *TENSOR,
                INTEGER_DTYPE,
                torch.randn(2, 8, 8, 4),
                torch.randn(2, 6, 8, 8),
            )
        },
    ),
    *[
        Case(
            f"backbones.{preset.__name__}",
            preset,
            lambda: {"num_classes": 10},
            {"num_classes": SIZE, "dim": SIZE, "window": SIZE, "depths": ((),)},
        )
        for preset in (bb.swin_micro, bb.swin_tiny)
    ],
    Case(
        "backbones.msa_flops",
        bb.msa_flops,
        lambda: {"h": 4, "w": 4, "C": 8},
        {"h": SIZE, "w": SIZE, "C": SIZE},
    ),
    Case(
        "backbones.wmsa_flops",
        bb.wmsa_flops,
        lambda: {"h": 4, "w": 4, "C": 8, "M": 2},
        {"h": SIZE, "w": SIZE, "C": SIZE, "M": SIZE},
    ),
    Case(
        "backbones.relative_position_index",
        bb.relative_position_index,
        lambda: {"window": 3},
        {"window": SIZE},
    ),
    Case(
        "backbones.attention_cost_curve",
        bb.attention_cost_curve,
        lambda: {"sizes": (4,), "dim": 8, "window": 4, "heads": 2, "repeats": 1},
        {
            "sizes": ((6,), (), (0,), "8"),
            "dim": SIZE,
            "window": SIZE,
            "heads": (*SIZE, 3),
            "repeats": SIZE,
        },
    ),
]


# ------------------------------------------------------------------------- blocks
def tokens(b=2, n=5, d=8):
    return torch.randn(b, n, d, generator=torch.Generator().manual_seed(1))


def conv_map(c=4, side=8):
    return torch.randn(2, c, side, side, generator=torch.Generator().manual_seed(2))


BLOCK_CASES = [
    Case(
        "blocks.MultiHeadAttention",
        blocks.MultiHeadAttention,
        lambda: {"dim": 8, "heads": 2, "dropout": 0.1},
        {
            "dim": SIZE,
            "heads": (*SIZE, 3),
            "head_dim": (0, 2.5),
            "dropout": PROBABILITY,
            "locality": FLAG,
        },
    ),
    Case(
        "blocks.MultiHeadAttention.forward(locality=True)",  # the mask is combined
        lambda x, mask=None: blocks.MultiHeadAttention(8, heads=2, locality=True)(
            x, mask=mask
        ),
        lambda: {"x": tokens(), "mask": torch.ones(5, 5, dtype=torch.bool)},
        {
            "x": (*TENSOR, INTEGER_DTYPE, tokens(d=6)),
            "mask": (
                NOT_TENSOR,
                torch.ones(5, 5),
                torch.ones(2, 4, 4, dtype=torch.bool),
            ),
        },
    ),
    Case(
        "blocks.MultiHeadAttention.forward",
        lambda x, context=None, mask=None: blocks.MultiHeadAttention(8, heads=2)(
            x, context, mask=mask
        ),
        lambda: {"x": tokens(), "context": tokens(n=7)},
        {
            "x": (*TENSOR, INTEGER_DTYPE, tokens(d=6)),
            "context": (*TENSOR, tokens(d=6)),
            "mask": (torch.ones(2, 5, 7), torch.ones(2, 4, 4, dtype=torch.bool)),
        },
    ),
    Case(
        "blocks.record_attention",
        lambda model, detach=True: enter(
            blocks.record_attention, model=model, detach=detach
        ),  # fmt: skip
        lambda: {"model": blocks.MultiHeadAttention(8, heads=2)},
        {"model": (5, "model", nn.Linear(2, 2)), "detach": FLAG},
    ),
    Case(
        "blocks.record_features",
        lambda model, detach=False: enter(
            blocks.record_features, model=model, detach=detach
        ),  # fmt: skip
        lambda: {"model": bb.LeNet()},
        {"model": (5, "model", nn.Linear(2, 2)), "detach": FLAG},
    ),
    Case("blocks.FeatureTap", blocks.FeatureTap, lambda: {}),
    Case(
        "blocks.FeatureTap.forward",
        lambda fmap: blocks.FeatureTap()(fmap),
        lambda: {"fmap": conv_map()},
        {"fmap": TENSOR},
    ),
    Case(
        "blocks.MLP",
        blocks.MLP,
        lambda: {"dim": 8, "hidden": 16, "dropout": 0.1},
        {"dim": SIZE, "hidden": SIZE, "dropout": PROBABILITY},
    ),
    Case(
        "blocks.MLP.forward",
        lambda x: blocks.MLP(8, hidden=16)(x),
        lambda: {"x": tokens()},
        {"x": (NOT_TENSOR, INTEGER_DTYPE, tokens(d=6), torch.randn(8))},
    ),
    Case(
        "blocks.Block",
        blocks.Block,
        lambda: {"dim": 8, "heads": 2, "mlp_ratio": 2.0, "dropout": 0.1},
        {
            "dim": SIZE,
            "heads": (*SIZE, 3),
            "mlp_ratio": POSITIVE,
            "dropout": PROBABILITY,
            "locality": FLAG,
        },  # fmt: skip
    ),
    Case(
        "blocks.Block.forward",
        lambda x: blocks.Block(8, heads=2)(x),
        lambda: {"x": tokens()},
        {"x": (*TENSOR, INTEGER_DTYPE, tokens(d=6))},
    ),
    Case(
        "blocks.PatchEmbed",
        blocks.PatchEmbed,
        lambda: {"patch_size": 4, "in_channels": 3, "dim": 8},
        {"patch_size": SIZE, "in_channels": SIZE, "dim": SIZE},
    ),
    Case(
        "blocks.PatchEmbed.forward",
        lambda images: blocks.PatchEmbed(patch_size=4, dim=8)(images),
        lambda: {"images": images(side=16)},
        {"images": (*TENSOR, INTEGER_DTYPE, WRONG_CHANNELS, torch.rand(1, 3, 18, 18))},
    ),
    *[
        Case(
            f"blocks.{kind.__name__}",
            kind,
            lambda: {"patch_size": 4, "in_channels": 3, "dim": 8},
            {"patch_size": bad_p, "in_channels": SIZE, "dim": SIZE},
        )
        for kind, bad_p in (
            (blocks.ConvStem, (*SIZE, 1, 6)),  # a power of two >= 2
            (blocks.ShiftedPatchTokenizer, SIZE),
        )
    ],
    *[
        Case(
            f"blocks.{kind.__name__}.forward",
            forward(lambda kind=kind: kind(patch_size=4, dim=8)),
            lambda: {"images": images(side=16)},
            {
                "images": (
                    *TENSOR,
                    INTEGER_DTYPE,
                    WRONG_CHANNELS,
                    torch.rand(1, 3, 18, 18),
                )
            },
        )
        for kind in (blocks.ConvStem, blocks.ShiftedPatchTokenizer)
    ],
    Case(
        "blocks.sincos_2d",
        blocks.sincos_2d,
        lambda: {"h": 3, "w": 4, "dim": 8, "temperature": 100.0},
        {"h": SIZE, "w": SIZE, "dim": (0, 6, 2.5, "8"), "temperature": POSITIVE},
    ),
    Case(
        "blocks.interpolate_pos_embed",
        blocks.interpolate_pos_embed,
        lambda: {"pos": torch.randn(6, 8), "old_grid": (2, 3), "new_grid": (4, 6)},
        {
            "pos": (*TENSOR, NAN, INF, INTEGER_DTYPE, torch.randn(5, 8)),
            "old_grid": PAIR,
            "new_grid": PAIR,
        },
    ),
    Case(
        "blocks.conv3x3_stage",
        blocks.conv3x3_stage,
        lambda: {
            "in_channels": 3,
            "out_channels": 8,
            "n_convs": 2,
            "batch_norm": True,
        },  # fmt: skip
        {
            "in_channels": SIZE,
            "out_channels": SIZE,
            "n_convs": SIZE,
            "batch_norm": FLAG,
        },  # fmt: skip
    ),
    Case(
        "blocks.PadShortcut",
        blocks.PadShortcut,
        lambda: {"out_channels": 6, "stride": 2},
        {"out_channels": SIZE, "stride": SIZE},
    ),
    Case(
        "blocks.PadShortcut.forward",
        lambda x: blocks.PadShortcut(6, 2)(x),
        lambda: {"x": conv_map(c=4)},
        {"x": (*TENSOR, INTEGER_DTYPE, WRONG_CHANNELS)},
    ),
    Case(
        "blocks.ResidualBlock",
        blocks.ResidualBlock,
        lambda: {
            "branch": nn.Identity(),
            "in_channels": 4,
            "out_channels": 8,
            "stride": 1,
            "residual": True,
            "shortcut": "pad",
        },  # fmt: skip
        {
            "branch": ("conv", None),
            "in_channels": SIZE,
            "out_channels": (*SIZE, 2),
            "stride": SIZE,
            "residual": FLAG,
            "shortcut": ("none",),
        },
    ),
    Case(
        "blocks.ResidualBlock.forward",
        lambda x: blocks.ResidualBlock(
            nn.Conv2d(4, 8, 1), 4, 8, 1, residual=True, shortcut="pad"
        )(x),
        lambda: {"x": conv_map(c=4)},
        {"x": (*TENSOR, INTEGER_DTYPE, WRONG_CHANNELS)},
    ),
    *[
        Case(
            f"blocks.{kind.__name__}",
            kind,
            lambda: {"in_channels": 4, "width": 8, "stride": 2},
            {
                "in_channels": SIZE,
                "width": SIZE,
                "stride": SIZE,
                "residual": FLAG,
                "shortcut": ("none",),
            },
        )
        for kind in (blocks.BasicBlock, blocks.Bottleneck)
    ],
    *[
        Case(
            f"blocks.{kind.__name__}.forward",
            forward(lambda kind=kind: kind(in_channels=4, width=8)),
            lambda: {"x": conv_map(c=4)},
            {"x": (*TENSOR, INTEGER_DTYPE, WRONG_CHANNELS)},
        )
        for kind in (blocks.BasicBlock, blocks.Bottleneck)
    ],
    Case(
        "blocks.UNet",
        blocks.UNet,
        lambda: {"in_channels": 3, "out_channels": 3, "widths": (4, 8)},
        {
            "in_channels": SIZE,
            "out_channels": (*SIZE, 4),
            "widths": ((), (4, 0), "48"),
            "residual": FLAG,
            "skips": FLAG,
        },
    ),
    Case(
        "blocks.UNet.forward",
        lambda x: blocks.UNet(widths=(4, 8))(x),
        lambda: {"x": images(side=12)},
        {"x": IMAGES},
    ),
]


# ------------------------------------------------------------------------ explain
def explain_case(fn, model):
    return Case(
        f"explain.{fn.__name__}",
        lambda model, images, target: fn(model, images, target),
        lambda: {"model": model().eval(), "images": images(), "target": 3},
        {
            "model": (
                5,
                nn.Linear(2, 2),
                *([NOT_GAP_LINEAR] if fn is explain.cam else []),
            ),
            "images": (*IMAGES, EMPTY),
            "target": (
                -1,
                10,
                2.5,
                "3",
                torch.tensor([1.0, 2.0]),
                torch.tensor([0, 1, 2]),
                torch.tensor([[0, 1]]),
            ),  # fmt: skip
        },
    )


NOT_GAP_LINEAR = Mutation(
    "LeNet (no GAP-linear head)", lambda _: bb.LeNet(in_channels=3)
)


def small_resnet():
    return bb.ResNet(layers=(1, 1), widths=(4, 8))


EXPLAIN_CASES = [explain_case(explain.grad_cam, small_resnet),
                 explain_case(explain.cam, small_resnet)]  # fmt: skip

CASES = [*CNN_CASES, *TRANSFORMER_CASES, *BLOCK_CASES, *EXPLAIN_CASES]


# ---------------------------------------------------------------- ops: attention
def _qkv() -> dict:
    g = torch.Generator().manual_seed(1)
    return {n: torch.randn(2, 4, 6, 8, generator=g) for n in ("q", "k", "v")}


CASES.append(
    Case(
        "ops.attention",
        attention_op,
        _qkv,
        bad={
            "q": (NOT_TENSOR, MISSING_DIM, NAN),
            "k": (NOT_TENSOR, NAN),
            "v": (NOT_TENSOR, NAN),
        },
    )  # fmt: skip
)

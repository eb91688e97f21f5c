"""The chapter-1 CNNs: LeNet, AlexNet, VGG, ResNet.

Oracle for sizes: torchvision.models.
"""

import pytest
import torch
import torch.nn.functional as F
import torchvision
from scratchvision.backbones import (
    VGG,
    AlexNet,
    LeNet,
    ResNet,
    plain20,
    resnet8,
    resnet20,
    resnet29_bottleneck,
    resnet_cifar,
    vgg11_small,
    vgg_small,
)
from scratchvision.blocks import ResidualBlock, record_features
from scratchvision.flops import count_params
from torch import nn

# name -> (builder, input channels, features shape for a 2 x C x 32 x 32 batch)
MODELS = {
    "LeNet": (LeNet, 1, (2, 16, 10, 10)),
    "AlexNet": (AlexNet, 3, (2, 64, 4, 4)),
    "VGG": (VGG, 3, (2, 128, 4, 4)),
    "vgg_small": (vgg_small, 3, (2, 128, 4, 4)),
    "vgg11_small": (vgg11_small, 3, (2, 128, 2, 2)),
    "ResNet": (ResNet, 3, (2, 128, 4, 4)),
    "ResNet-bottleneck": (
        lambda: ResNet(block="bottleneck", layers=(1, 1), widths=(8, 16)),
        3,
        (2, 64, 16, 16),
    ),
    "resnet8": (resnet8, 3, (2, 64, 8, 8)),
    "resnet20": (resnet20, 3, (2, 64, 8, 8)),
    "plain20": (plain20, 3, (2, 64, 8, 8)),
    "resnet29_bottleneck": (resnet29_bottleneck, 3, (2, 256, 8, 8)),
}


def build(name, seed=0):
    builder, channels, feature_shape = MODELS[name]
    torch.manual_seed(seed)
    images = torch.randn(
        2, channels, 32, 32, generator=torch.Generator().manual_seed(seed)
    )
    return builder(), images, feature_shape


@pytest.mark.parametrize("name", MODELS)
def test_shapes_and_the_recorded_cam_map(name):
    model, images, feature_shape = build(name)
    model.eval()
    with record_features(model) as maps:
        logits = model(images)
    assert logits.shape == (2, 10)
    assert model.features(images).shape == feature_shape
    assert model.feature_dim == feature_shape[1]
    assert len(maps) == 1 and torch.equal(maps[0], model.features(images))
    assert torch.equal(model.stage_maps(images)[-1], maps[0])


STAGES = {  # name -> (channels, side) of every stage map for a 32 x 32 input
    "LeNet": [(6, 28), (16, 10)],
    "AlexNet": [(32, 16), (64, 8), (64, 4)],
    "VGG": [(16, 32), (32, 16), (64, 8), (128, 4)],
    "resnet20": [(16, 32), (32, 16), (64, 8)],
    "ResNet-bottleneck": [(32, 32), (64, 16)],
}


@pytest.mark.parametrize("name", STAGES)
def test_stage_maps_run_from_fine_to_coarse(name):
    model, images, _ = build(name)
    maps = model.eval().stage_maps(images)
    assert [(m.shape[1], m.shape[-1]) for m in maps] == STAGES[name]


@pytest.mark.parametrize("name", MODELS)
def test_batched_equals_per_sample(name):
    model, images, _ = build(name)
    model.eval()
    with torch.no_grad():
        batched = model(images)
        single = torch.cat([model(images[i : i + 1]) for i in range(len(images))])
    torch.testing.assert_close(batched, single, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("name", MODELS)
def test_wrong_channel_count_is_a_value_error(name):
    model, images, _ = build(name)
    with pytest.raises(ValueError, match=r"images must have \d channels"):
        model(torch.randn(2, images.shape[1] + 1, 32, 32))
    with pytest.raises(ValueError, match="images must be a 4-D tensor"):
        model(images[0])


@pytest.mark.parametrize(
    "make, argument",
    [
        (lambda: resnet_cifar(depth=21), "depth must be 6n \\+ 2"),
        (lambda: resnet_cifar(depth=-4), "depth must be >= 8"),
        (lambda: resnet_cifar(depth=22, block="bottleneck"), "depth must be 9n \\+ 2"),
        (lambda: ResNet(block="wide"), "block must be one of"),
        (lambda: ResNet(stem="tiny"), "stem must be one of"),
        (lambda: ResNet(shortcut="none"), "shortcut must be one of"),
        (
            lambda: ResNet(layers=(2, 2), widths=(16,)),
            "widths must have one entry per stage",
        ),
        (lambda: ResNet(layers=(2, 0), widths=(16, 32)), r"layers\[1\] must be >= 1"),
        (lambda: ResNet(residual=False, zero_init_residual=True), "zero_init_residual"),
        (
            lambda: ResNet(layers=(1, 1), widths=(32, 16)),
            r"widths must not decrease with shortcut='pad'",
        ),
        (lambda: AlexNet(activation="gelu"), "activation must be one of"),
        (lambda: AlexNet(dropout=1.5), "dropout must be in"),
        (lambda: AlexNet(widths=(8, 8, 8)), "widths must have 5 entries"),
        (lambda: LeNet(activation="softsign"), "activation must be one of"),
        (lambda: LeNet(num_classes=0), "num_classes must be >= 1"),
        (lambda: VGG(stages=(1, 0), widths=(8, 8)), r"stages\[1\] must be >= 1"),
        (lambda: LeNet()(torch.randn(1, 1, 28, 28)), "images must be 32x32"),
    ],
)
def test_bad_arguments_name_the_argument(make, argument):
    with pytest.raises(ValueError, match=argument):
        make()


def test_lenet_has_the_textbook_parameter_count():
    # C1 6*(25+1) + C3 16*(6*25+1) + C5 120*(16*25+1) + F6 84*(120+1) + out 10*(84+1)
    assert count_params(LeNet()) == 156 + 2416 + 48120 + 10164 + 850 == 61706


def shapes(model):
    return sorted(tuple(p.shape) for p in model.parameters())


@pytest.mark.parametrize(
    "block, layers, reference",
    [
        ("basic", (2, 2, 2, 2), torchvision.models.resnet18),
        ("bottleneck", (3, 4, 6, 3), torchvision.models.resnet50),
    ],
)
def test_imagenet_resnet_matches_torchvision(block, layers, reference):
    ours = ResNet(
        block=block,
        layers=layers,
        widths=(64, 128, 256, 512),
        num_classes=1000,
        stem="imagenet",
        shortcut="conv",
    )
    theirs = reference(weights=None)
    assert count_params(ours) == count_params(theirs)
    assert shapes(ours) == shapes(theirs)


def test_vgg11_convolutions_match_torchvision():
    ours = VGG(
        stages=(1, 1, 2, 2, 2), widths=(64, 128, 256, 512, 512), batch_norm=False
    )
    theirs = torchvision.models.vgg.make_layers(
        torchvision.models.vgg.cfgs["A"]
    )  # VGG-11's conv part
    assert count_params(ours.body) == count_params(theirs) == 9_220_480
    assert shapes(ours.body) == shapes(theirs)


def resnet_pair(block):
    torch.manual_seed(0)
    residual = ResNet(block=block, layers=(2, 2), widths=(8, 16))
    plain = ResNet(block=block, layers=(2, 2), widths=(8, 16), residual=False)
    plain.load_state_dict(residual.state_dict())  # same parameters, names and shapes
    return residual.eval(), plain.eval()


@pytest.mark.parametrize("block", ["basic", "bottleneck"])
def test_plain_net_is_the_same_network_without_skips(block):
    residual, plain = resnet_pair(block)
    images = torch.randn(2, 3, 16, 16)
    assert count_params(residual) == count_params(plain)
    assert not torch.allclose(residual(images), plain(images))
    # every skip connection goes through a block's `add`:
    # 4 in the residual net, none in the plain one
    calls = {"residual": 0, "plain": 0}
    for key, model in [("residual", residual), ("plain", plain)]:
        for m in model.modules():
            if isinstance(m, ResidualBlock):
                m.add.register_forward_hook(
                    lambda *_, key=key: calls.__setitem__(key, calls[key] + 1)
                )
        model(images)
    assert calls == {"residual": 4, "plain": 0}


@pytest.mark.parametrize("block", ["basic", "bottleneck"])
def test_zeroed_branches_leave_identity_only_when_residual(block):
    residual, plain = resnet_pair(block)
    for model in (residual, plain):
        for m in model.modules():
            if isinstance(m, ResidualBlock):
                nn.init.zeros_(m.branch[-1].weight)
                nn.init.zeros_(m.branch[-1].bias)
    a, b = torch.randn(2, 3, 16, 16), torch.randn(2, 3, 16, 16)
    with torch.no_grad():
        assert torch.equal(
            plain(a), plain(b)
        )  # every plain block outputs relu(0): the input is lost
        assert not torch.allclose(
            residual(a), residual(b)
        )  # the skips carry it through


def test_zero_init_residual_starts_blocks_as_identity():
    model = ResNet(layers=(1, 1), widths=(8, 8), zero_init_residual=True).eval()
    blocks = [m for m in model.modules() if isinstance(m, ResidualBlock)]
    x = torch.rand(2, 8, 8, 8)  # non-negative, as after a ReLU
    torch.testing.assert_close(blocks[0](x), x)


def test_activation_and_dropout_knobs_are_live():
    tanh = AlexNet(activation="tanh")
    assert any(isinstance(m, nn.Tanh) for m in tanh.modules())
    assert not any(isinstance(m, nn.ReLU) for m in tanh.modules())
    images = torch.randn(2, 3, 32, 32)
    for dropout, same in [(0.0, True), (0.5, False)]:
        model = AlexNet(dropout=dropout).train()
        assert torch.equal(model(images), model(images)) == same


OVERFIT = {  # name -> (builder, images, learning rate)
    "LeNet": (LeNet, (8, 1, 32, 32), 3e-3),
    # dropout is what keeps a net from memorising one batch: the notebook measures that
    "AlexNet": (lambda: AlexNet(dropout=0.0), (8, 3, 16, 16), 1e-3),
    "vgg_small": (vgg_small, (8, 3, 16, 16), 3e-3),
    "resnet8": (resnet8, (8, 3, 16, 16), 3e-3),
    "ResNet-bottleneck": (
        lambda: ResNet(block="bottleneck", layers=(1, 1), widths=(8, 16)),
        (8, 3, 16, 16),
        3e-3,
    ),
}


@pytest.mark.parametrize("name", OVERFIT)
def test_overfits_one_batch(name):
    """Adam on 8 images with distinct labels: the loss falls 5x within 60 steps."""
    builder, shape, lr = OVERFIT[name]
    torch.manual_seed(0)
    model = builder()
    images, labels = torch.randn(shape), torch.arange(8) % 10
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(60):
        loss = F.cross_entropy(model(images), labels)
        losses.append(loss.item())
        if losses[-1] < losses[0] / 5:
            break
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert losses[-1] < losses[0] / 5, (
        f"{name}: loss {losses[0]:.3f} -> {losses[-1]:.3f} in 60 steps"
    )


def test_resnet20_card_builds_the_library_preset():
    """One name, one network: the zoo's resnet20 is the library's resnet20."""
    from scratchvision import zoo

    card = zoo.card("resnet20-shapeworld")
    assert card["builder"].endswith(":resnet20")
    ours = resnet20(**card["kwargs"])
    shapes = {k: v.shape for k, v in ours.state_dict().items()}
    loaded = zoo.load("resnet20-shapeworld")
    assert shapes == {k: v.shape for k, v in loaded.state_dict().items()}
    # the only difference from the CIFAR preset: a 7x7 stem conv instead of a 3x3
    assert count_params(ours) - count_params(resnet20()) == 3 * 16 * (7 * 7 - 3 * 3)
    # ... and it is the ImageNet stem: 64x64 scenes reach the first stage at 16x16
    assert [m.shape[-1] for m in ours.stage_maps(torch.zeros(1, 3, 64, 64))] == [
        16,
        8,
        4,
    ]

"""The shared blocks: written once, reused by several models, checked at the door."""

import ast
import importlib
from pathlib import Path

import pytest
import scratchvision
import torch
from scratchvision import backbones as bb
from scratchvision import blocks
from scratchvision.blocks import (
    MLP,
    BasicBlock,
    Block,
    FeatureTap,
    MultiHeadAttention,
    PadShortcut,
    PatchEmbed,
    conv3x3_stage,
    record_attention,
    record_features,
)
from torch import nn

BACKBONES = Path(scratchvision.__file__).parent / "backbones"
MODEL_FILES = {"lenet", "alexnet", "vgg", "resnet", "vit", "swin"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("model_file", sorted(MODEL_FILES))
def test_no_model_file_imports_another_model_file(model_file):
    imports = imported_modules(BACKBONES / f"{model_file}.py")
    others = {f"scratchvision.backbones.{m}" for m in MODEL_FILES - {model_file}}
    assert not imports & others, f"{model_file}.py imports {imports & others}"


def test_vit_and_swin_share_the_transformer_blocks():
    vit, swin = bb.vit_tiny(image_size=32, patch_size=4), bb.swin_micro()
    for kind in (PatchEmbed, MLP, MultiHeadAttention):
        assert any(isinstance(m, kind) for m in vit.modules()), kind
        assert any(isinstance(m, kind) for m in swin.modules()), kind
    assert any(isinstance(m, Block) for m in vit.modules())


def test_the_old_attention_import_still_finds_the_block():
    ops_attention = importlib.import_module("scratchvision.ops.attention")
    assert ops_attention.MultiHeadAttention is MultiHeadAttention
    assert ops_attention.record_attention is record_attention
    assert "MultiHeadAttention" not in scratchvision.ops.__all__  # ops stay pure


def test_feature_tap_is_an_identity_without_state():
    tap = FeatureTap()
    x = torch.randn(2, 3, 4, 5)
    assert tap(x) is x and tap.state_dict() == {}
    model = nn.Sequential(nn.Conv2d(3, 4, 1), FeatureTap())
    assert list(model.state_dict()) == ["0.weight", "0.bias"]  # no new keys


def test_record_features_keeps_the_graph_restores_and_nests():
    model = nn.Sequential(nn.Conv2d(3, 4, 1), FeatureTap(), nn.Flatten())
    x = torch.randn(2, 3, 4, 4)
    with record_features(model) as outer:
        out = model(x)
        with record_features(model, detach=True) as inner:
            model(x)
        model(x)
    assert len(outer) == 2 and len(inner) == 1 and not inner[0].requires_grad
    (grad,) = torch.autograd.grad(out.sum(), outer[0])
    torch.testing.assert_close(grad, torch.ones(2, 4, 4, 4))
    model(x)
    assert len(outer) == 2 and model[1].recorder is None


def test_the_two_doors_refuse_what_they_cannot_open():
    with pytest.raises(ValueError, match="record_attention: model must be a torch"):
        with record_attention(5):
            pass
    with pytest.raises(ValueError, match="model must contain a FeatureTap"):
        with record_features(nn.Linear(2, 2)):
            pass


def test_pad_shortcut_pads_zeros_and_refuses_to_drop_channels():
    x = torch.randn(2, 3, 8, 8)
    out = PadShortcut(5, 2)(x)
    assert out.shape == (2, 5, 4, 4)
    torch.testing.assert_close(out[:, :3], x[:, :, ::2, ::2])
    assert out[:, 3:].abs().sum() == 0
    with pytest.raises(ValueError, match="x must have at most out_channels=4"):
        PadShortcut(4, 1)(torch.randn(1, 8, 4, 4))


def test_conv3x3_stage_has_n_convs_and_refuses_none():
    stage = conv3x3_stage(3, 8, 2, batch_norm=True)
    assert sum(isinstance(m, nn.Conv2d) for m in stage) == 2
    assert stage(torch.randn(1, 3, 5, 5)).shape == (1, 8, 5, 5)
    with pytest.raises(ValueError, match="n_convs must be >= 1"):
        conv3x3_stage(3, 8, -1, batch_norm=True)


def test_transformer_blocks_take_any_number_of_tokens_and_maps():
    block = Block(16, heads=2)
    for n in (1, 5, 17):
        assert block(torch.randn(2, n, 16)).shape == (2, n, 16)
    assert MLP(16, hidden=8)(torch.randn(2, 3, 5, 16)).shape == (2, 3, 5, 16)
    with pytest.raises(ValueError, match="Block: x must have width D=16"):
        block(torch.randn(2, 4, 8))


def test_basic_block_checks_its_input_channels():
    block = BasicBlock(in_channels=4, width=8, stride=2)
    assert block(torch.randn(1, 4, 8, 8)).shape == (1, 8, 4, 4)
    with pytest.raises(ValueError, match="BasicBlock: x must have 4 channels"):
        block(torch.randn(1, 8, 8, 8))


def test_blocks_declare_their_public_names():
    assert set(blocks.__all__) <= set(dir(blocks))
    assert "UNet" in blocks.__all__ and "FeatureTap" in blocks.__all__

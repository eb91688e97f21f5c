"""Patches, ViT, its seams and inspection doors: shapes, oracles, properties."""

import math

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from conftest import overfit_one_batch
from einops import rearrange
from scratchvision.backbones import ViT, mean_attention_distance, vit_small, vit_tiny
from scratchvision.blocks import (
    ConvStem,
    MultiHeadAttention,
    PatchEmbed,
    ShiftedPatchTokenizer,
    interpolate_pos_embed,
    record_attention,
    record_features,
    sincos_2d,
)
from scratchvision.ops.patches import patchify, unpatchify


def test_patchify_layout_and_round_trip():
    x = torch.randn(2, 3, 12, 8)
    tokens = patchify(x, 4)
    assert tokens.shape == (2, 6, 48)
    # token 3 is grid cell (row 1, col 1);
    # inside it, pixel (r, c) channel k sits at (r * 4 + c) * 3 + k
    torch.testing.assert_close(
        tokens[1, 3].view(4, 4, 3), x[1, :, 4:8, 4:8].permute(1, 2, 0)
    )
    torch.testing.assert_close(unpatchify(tokens, 4, 12, 8, 3), x)


def test_patch_errors():
    with pytest.raises(ValueError, match="divisible by patch_size=5"):
        patchify(torch.randn(1, 3, 12, 10), 5)
    with pytest.raises(ValueError, match="images must be a 4-D tensor"):
        patchify(torch.randn(3, 12, 12), 4)
    with pytest.raises(ValueError, match=r"tokens must have shape \(B, 9, 48\)"):
        unpatchify(torch.randn(1, 8, 48), 4, 12, 12, 3)


def test_patch_embed_equals_strided_conv():
    embed = PatchEmbed(patch_size=4, in_channels=3, dim=16)
    conv = nn.Conv2d(3, 16, kernel_size=4, stride=4)
    with torch.no_grad():
        conv.weight.copy_(
            rearrange(embed.proj.weight, "d (p1 p2 c) -> d c p1 p2", p1=4, p2=4)
        )
        conv.bias.copy_(embed.proj.bias)
    x = torch.randn(2, 3, 16, 12)
    expected = rearrange(conv(x), "b d h w -> b (h w) d")
    torch.testing.assert_close(embed(x), expected, atol=1e-5, rtol=1e-5)


def test_sincos_2d():
    pe = sincos_2d(3, 4, 8)
    assert pe.shape == (12, 8)
    torch.testing.assert_close(
        pe[0], torch.tensor([0.0, 0, 1, 1, 0, 0, 1, 1])
    )  # position (0, 0)
    # channel 0 is sin(row), channel 4 is sin(column), both at frequency 1
    torch.testing.assert_close(
        pe[:, 0], torch.arange(3).repeat_interleave(4).float().sin()
    )
    torch.testing.assert_close(pe[:, 4], torch.arange(4).repeat(3).float().sin())
    assert torch.cdist(pe, pe).fill_diagonal_(1).min() > 0.1  # every position distinct
    with pytest.raises(ValueError, match="dim must be divisible by 4"):
        sincos_2d(2, 2, 6)


@pytest.mark.parametrize("pos_embed", ["learned", "sincos"])
@pytest.mark.parametrize("pool", ["cls", "mean"])
def test_vit_shapes(pos_embed, pool):
    model = ViT(
        image_size=32,
        patch_size=8,
        dim=32,
        depth=2,
        heads=2,
        pos_embed=pos_embed,
        pool=pool,
    )
    x = torch.randn(2, 3, 32, 32)
    assert model(x).shape == (2, 10)
    assert model.features(x).shape == (2, 32, 4, 4)
    assert model.pos_embedding.shape == (1, 17, 32)
    assert isinstance(model.pos_embedding, nn.Parameter) == (pos_embed == "learned")


def test_presets_and_rectangular_images():
    assert vit_tiny()(torch.randn(1, 3, 64, 64)).shape == (1, 10)
    assert vit_small(num_classes=3)(torch.randn(1, 3, 64, 64)).shape == (1, 3)
    assert ViT(image_size=(32, 16), dim=32, depth=1).features(
        torch.randn(1, 3, 32, 16)
    ).shape == (1, 32, 4, 2)


def test_vit_batched_equals_per_sample():
    model = ViT(image_size=16, patch_size=4, dim=32, depth=2, heads=2).eval()
    x = torch.randn(3, 3, 16, 16)
    torch.testing.assert_close(
        model(x),
        torch.cat([model(x[i : i + 1]) for i in range(3)]),
        atol=1e-5,
        rtol=1e-5,
    )


def test_vit_reuses_the_shared_attention_and_records_it():
    model = ViT(image_size=32, patch_size=8, dim=32, depth=3, heads=2)
    assert sum(isinstance(m, MultiHeadAttention) for m in model.modules()) == 3
    with record_attention(model) as probs:
        model(torch.randn(2, 3, 32, 32))
    assert [tuple(p.shape) for p in probs] == [(2, 2, 17, 17)] * 3


def test_recorded_cam_map_gets_gradient_on_every_patch():
    model = ViT(image_size=32, patch_size=8, dim=32, depth=2, heads=2)
    with record_features(model) as maps:
        logits = model(torch.randn(1, 3, 32, 32))
    (grad,) = torch.autograd.grad(logits[0, 0], maps[0])
    assert grad.shape == (1, 32, 4, 4) and model.feature_dim == 32
    assert (grad.abs().sum(dim=1) > 0).all()


def old_encode(model, images):
    """The encoder as it was written before the seams: the oracle for them."""
    x = model.patch_embed(images)  # (B, N, D)
    cls = model.cls_token.expand(len(x), -1, -1)
    x = model.dropout(torch.cat([cls, x], dim=1) + model.pos_embedding)
    for block in model.blocks:
        x = block(x)
    return model.norm(x)


@pytest.mark.parametrize("pos_embed", ["learned", "sincos"])
def test_encode_tokens_of_embed_is_the_old_encoder(pos_embed):
    torch.manual_seed(0)
    model = ViT(image_size=16, patch_size=4, dim=32, depth=2, heads=2).eval()
    x = torch.randn(2, 3, 16, 16)
    expected = old_encode(model, x)
    torch.testing.assert_close(model.encode_tokens(model.embed(x)), expected)
    torch.testing.assert_close(model.encode(x), expected)
    torch.testing.assert_close(model.stage_maps(x)[0][:, :, 1, 2], expected[:, 1 + 6])


def test_features_are_the_tokens_entering_the_last_block():
    model = ViT(image_size=16, patch_size=4, dim=32, depth=3, heads=2).eval()
    x = torch.randn(2, 3, 16, 16)
    tokens = model.embed(x)
    for block in model.blocks[:-1]:
        tokens = block(tokens)
    expected = rearrange(tokens[:, 1:], "b (h w) d -> b d h w", h=4)
    torch.testing.assert_close(model.features(x), expected)


def test_encoder_runs_on_a_random_subset_of_patches():
    torch.manual_seed(0)
    model = ViT(image_size=16, patch_size=4, dim=32, depth=2, heads=2).eval()
    x = torch.randn(2, 3, 16, 16)
    keep = torch.stack([torch.randperm(16)[:5] for _ in range(2)])  # (B, K)
    out = model.encode_tokens(model.embed(x, keep=keep))  # (B, 1 + K, D)
    assert out.shape == (2, 6, 32)
    # directly: embed every patch with its position, pick the kept ones, add CLS
    patches = model.patch_embed(x) + model.pos_embedding[:, 1:]  # (B, N, D)
    kept = torch.stack([patches[b, keep[b]] for b in range(2)])  # (B, K, D)
    cls = (model.cls_token + model.pos_embedding[:, :1]).expand(2, -1, -1)
    direct = torch.cat([cls, kept], dim=1)
    for block in model.blocks:
        direct = block(direct)
    torch.testing.assert_close(out, model.norm(direct))


def test_a_vit_built_at_32_px_runs_at_48_px():
    model = ViT(image_size=32, patch_size=8, dim=32, depth=2, heads=2).eval()
    big = torch.randn(2, 3, 48, 48)
    assert model(big).shape == (2, 10)
    assert model.features(big).shape == (2, 32, 6, 6)
    with record_attention(model) as probs:
        model(big)
    assert probs[0].shape == (2, 2, 37, 37)
    # at the training size nothing is interpolated
    small = torch.randn(1, 3, 32, 32)
    torch.testing.assert_close(model.encode(small), old_encode(model, small))


def test_interpolate_pos_embed_keeps_a_smooth_grid():
    rows, cols = torch.meshgrid(torch.arange(4.0), torch.arange(6.0), indexing="ij")
    pos = torch.stack([rows.flatten(), cols.flatten()], dim=1)  # (24, 2): a ramp
    assert interpolate_pos_embed(pos, (4, 6), (4, 6)) is pos
    big = interpolate_pos_embed(pos, (4, 6), (8, 12)).view(8, 12, 2)
    # the resized ramp is still a ramp: symmetric about the grid's centre (rows and
    # columns are flipped together), monotone, and centred on the same mean
    torch.testing.assert_close(
        big + big.flip(0, 1), torch.tensor([3.0, 5.0]).expand(8, 12, 2)
    )
    torch.testing.assert_close(big.mean(dim=(0, 1)), pos.mean(dim=0))
    assert (big[1:, :, 0] >= big[:-1, :, 0] - 1e-5).all()
    assert (big[:, 1:, 1] >= big[:, :-1, 1] - 1e-5).all()
    with pytest.raises(ValueError, match="pos must have gh \\* gw = 24 rows"):
        interpolate_pos_embed(pos[:20], (4, 6), (2, 3))


def test_mean_attention_distance():
    grid = (3, 4)
    n = 12
    assert (
        mean_attention_distance(torch.eye(n).expand(2, 3, n, n), grid).abs().max() == 0
    )  # self only
    ys, xs = torch.meshgrid(torch.arange(3.0), torch.arange(4.0), indexing="ij")
    pos = torch.stack([ys.flatten(), xs.flatten()], 1)
    expected = torch.cdist(pos, pos).mean() * 8  # uniform attention, 8-pixel patches
    uniform = torch.full((1, 2, n, n), 1 / n)
    torch.testing.assert_close(
        mean_attention_distance(uniform, grid, patch_size=8), expected.repeat(2)
    )
    # renormalised after dropping CLS:
    # a head that split its mass with CLS gives the same answer
    torch.testing.assert_close(
        mean_attention_distance(uniform / 2, grid), expected.repeat(2) / 8
    )
    with pytest.raises(ValueError, match=r"drop the CLS token first"):
        mean_attention_distance(torch.rand(1, 2, n + 1, n + 1), grid)


def test_vit_errors():
    with pytest.raises(ValueError, match="tokenizer must be one of"):
        ViT(tokenizer="pixels")
    with pytest.raises(ValueError, match="locality must be True or False"):
        ViT(image_size=32, dim=32, depth=1, locality="yes")
    with pytest.raises(ValueError, match="pool must be one of"):
        ViT(pool="max")
    with pytest.raises(ValueError, match="pos_embed must be one of"):
        ViT(pos_embed="rope")
    with pytest.raises(
        ValueError, match="image_size must be divisible by patch_size=8"
    ):
        ViT(image_size=60)
    with pytest.raises(ValueError, match="images must be a 4-D tensor"):
        ViT(image_size=32)(torch.randn(3, 32, 32))


def test_vit_overfits_one_batch():
    torch.manual_seed(0)
    model = vit_tiny(image_size=32, patch_size=8)
    x, y = torch.randn(8, 3, 32, 32), torch.arange(8)
    first = F.cross_entropy(model(x), y).item()
    assert math.isclose(first, math.log(10), rel_tol=0.2)
    overfit_one_batch(model, x, y, factor=5, steps=80)


def test_vit_input_errors():
    model = ViT(image_size=32, dim=32, depth=1)
    with pytest.raises(ValueError, match="images height and width must be divisible"):
        model(torch.randn(1, 3, 60, 60))
    with pytest.raises(ValueError, match=r"images must have 3 channels"):
        model(torch.randn(1, 1, 32, 32))
    with pytest.raises(ValueError, match=r"keep must hold patch indices in \[0, 16\)"):
        model.embed(torch.randn(1, 3, 32, 32), keep=torch.tensor([[0, 16]]))


TOKENIZER_CLASSES = {
    "patch": PatchEmbed,
    "conv": ConvStem,
    "shifted": ShiftedPatchTokenizer,
}


@pytest.mark.parametrize("locality", [False, True])
@pytest.mark.parametrize("tokenizer", ["patch", "conv", "shifted"])
def test_vit_tokenizers_and_locality_attention(tokenizer, locality):
    torch.manual_seed(0)
    model = ViT(
        image_size=16,
        patch_size=4,
        num_classes=7,
        dim=16,
        depth=2,
        heads=2,
        tokenizer=tokenizer,
        locality=locality,
    )
    assert type(model.patch_embed) is TOKENIZER_CLASSES[tokenizer]
    temperatures = [n for n, _ in model.named_parameters() if "temperature" in n]
    assert len(temperatures) == (2 if locality else 0)  # one per block
    x = torch.randn(2, 3, 16, 16)
    with record_attention(model) as probs:
        logits = model(x)
    assert logits.shape == (2, 7) and torch.isfinite(logits).all()
    assert [tuple(p.shape) for p in probs] == [(2, 2, 17, 17)] * 2  # CLS + 16
    diagonals = torch.stack([p.diagonal(dim1=-2, dim2=-1) for p in probs])
    assert (diagonals == 0).all() == locality  # no token attends to itself
    assert model.features(x).shape == (2, 16, 4, 4)
    logits.logsumexp(dim=1).sum().backward()
    assert all(p.grad is not None for p in model.parameters() if p.requires_grad)

"""ViT tokenizers for small data: the convolutional stem and shifted patches."""

import pytest
import torch
from scratchvision.blocks import ConvStem, PatchEmbed, ShiftedPatchTokenizer
from scratchvision.blocks.tokenizers import _shift

TOKENIZERS = [ConvStem, ShiftedPatchTokenizer]


def images(b=2, c=3, h=32, w=16, seed=0):
    return torch.randn(b, c, h, w, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("kind", TOKENIZERS)
@pytest.mark.parametrize("patch_size", [2, 4, 8])
def test_tokens_have_the_shape_of_patch_embed_tokens(kind, patch_size):
    x = images()
    tokens = kind(patch_size=patch_size, in_channels=3, dim=24)(x)
    assert tokens.shape == (2, 32 * 16 // patch_size**2, 24)
    plain = PatchEmbed(patch_size=patch_size, in_channels=3, dim=24)(x)
    assert tokens.shape == plain.shape  # a drop-in replacement


@pytest.mark.parametrize("patch_size", [1, 3, 6, 12])
def test_conv_stem_refuses_a_patch_size_that_is_not_a_power_of_two(patch_size):
    with pytest.raises(ValueError, match="patch_size must be a power of two"):
        ConvStem(patch_size=patch_size)


def test_conv_stem_downsamples_by_p_with_log2_p_strided_convolutions():
    stem = ConvStem(patch_size=8, in_channels=3, dim=32)
    convs = [m for m in stem.body if isinstance(m, torch.nn.Conv2d)]
    assert [m.stride for m in convs] == [(2, 2)] * 3 + [(1, 1)]  # 3 halvings, 1x1
    assert convs[-1].kernel_size == (1, 1) and convs[-1].out_channels == 32


def translated(x, dx, dy):
    """out[..., y, x] = x[..., y - dy, x - dx], zero where that falls outside."""
    out = torch.zeros_like(x)
    h, w = x.shape[-2:]
    out[..., max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = x[
        ..., max(-dy, 0) : h - max(dy, 0), max(-dx, 0) : w - max(dx, 0)
    ]
    return out


@pytest.mark.parametrize("s", [1, 2, 4])
@pytest.mark.parametrize("dx, dy", [(-1, -1), (1, -1), (-1, 1), (1, 1)])
def test_shift_is_a_zero_filled_translation(s, dx, dy):
    x = images(h=10, w=12)
    shifted = _shift(x, dx * s, dy * s)
    torch.testing.assert_close(shifted, translated(x, dx * s, dy * s), rtol=0, atol=0)
    # the content moved (dx s, dy s): a pixel well inside lands there
    assert shifted[0, 0, 5 + dy * s, 6 + dx * s] == x[0, 0, 5, 6]


def test_shifted_token_sees_half_a_patch_past_its_borders():
    """Token 0's receptive field: its P x P patch grown by P/2 down and right."""
    torch.manual_seed(0)
    p, s = 4, 2
    tokenizer = ShiftedPatchTokenizer(patch_size=p, in_channels=3, dim=16)
    x = images(b=1, h=16, w=16).requires_grad_()
    (grad,) = torch.autograd.grad(tokenizer(x)[0, 0].square().sum(), x)
    seen = grad.abs().sum(dim=(0, 1)) > 0  # (H, W)
    expected = torch.zeros(16, 16, dtype=torch.bool)
    expected[: p + s, : p + s] = True  # shifts up and left pull in these pixels
    assert seen.equal(expected)
    # a plain patch embedding sees its patch only
    plain = PatchEmbed(patch_size=p, in_channels=3, dim=16)
    (grad,) = torch.autograd.grad(plain(x)[0, 0].square().sum(), x)
    assert (grad.abs().sum(dim=(0, 1)) > 0).sum() == p * p


@pytest.mark.parametrize("kind", TOKENIZERS)
def test_gradients_reach_every_parameter(kind):
    torch.manual_seed(0)
    tokenizer = kind(patch_size=4, in_channels=3, dim=16)
    tokens = tokenizer(images())
    weights = torch.randn(tokens.shape, generator=torch.Generator().manual_seed(1))
    (tokens * weights).sum().backward()
    for name, p in tokenizer.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, f"{name} got no gradient"


@pytest.mark.parametrize("kind", TOKENIZERS)
def test_batched_equals_per_sample_in_eval_mode(kind):
    torch.manual_seed(0)
    tokenizer = kind(patch_size=4, in_channels=3, dim=16)
    tokenizer(images(b=8, seed=3))  # a training step moves BatchNorm's statistics
    tokenizer.eval()
    x = images(b=3)
    torch.testing.assert_close(
        tokenizer(x),
        torch.cat([tokenizer(x[i : i + 1]) for i in range(3)]),
        atol=1e-5,
        rtol=1e-5,
    )


@pytest.mark.parametrize("kind", TOKENIZERS)
def test_tokenizers_refuse_bad_images(kind):
    tokenizer = kind(patch_size=4, in_channels=3, dim=16)
    with pytest.raises(ValueError, match="images must have 3 channels"):
        tokenizer(images(c=1))
    with pytest.raises(ValueError, match="divisible by patch_size=4"):
        tokenizer(images(h=18))
    with pytest.raises(ValueError, match="images must be a 4-D tensor"):
        tokenizer(images()[0])

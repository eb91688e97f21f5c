"""Windows, shifted-window masks, relative position bias, Swin, attention cost curve."""

import pytest
import torch
from conftest import overfit_one_batch
from scratchvision.backbones.cost import attention_cost_curve
from scratchvision.backbones.swin import (
    PatchMerging,
    Swin,
    SwinBlock,
    WindowAttention,
    msa_flops,
    relative_position_index,
    swin_micro,
    swin_tiny,
    wmsa_flops,
)
from scratchvision.blocks import MultiHeadAttention, record_attention, record_features
from scratchvision.ops.windows import (
    cyclic_shift,
    shifted_window_mask,
    window_partition,
    window_reverse,
)


def test_window_partition_layout_and_round_trip():
    x = torch.randn(2, 8, 12, 5)
    windows = window_partition(x, 4)
    assert windows.shape == (2 * 6, 16, 5)
    # window 4 of image 1 is grid cell (row 1, col 1), tokens row-major inside it
    torch.testing.assert_close(windows[6 + 4], x[1, 4:8, 4:8].reshape(16, 5))
    torch.testing.assert_close(window_reverse(windows, 4, 8, 12), x)
    torch.testing.assert_close(cyclic_shift(cyclic_shift(x, 2), -2), x)
    assert cyclic_shift(x, 2)[0, 0, 0].equal(x[0, 2, 2])


def test_window_errors():
    with pytest.raises(ValueError, match="divisible by window=4"):
        window_partition(torch.randn(1, 6, 8, 3), 4)
    with pytest.raises(ValueError, match="windows must have shape"):
        window_reverse(torch.randn(5, 16, 3), 4, 8, 8)
    with pytest.raises(ValueError, match="shift must be < window=4"):
        shifted_window_mask(8, 8, 4, 4)


def rolled_regions(H, W, shift):
    """Independent labels: after the roll, which tokens wrapped around (per axis)?"""
    rows, cols = torch.meshgrid(torch.arange(H), torch.arange(W), indexing="ij")
    rows, cols = (
        torch.roll(t, (-shift, -shift), (0, 1)) for t in (rows, cols)
    )  # original coordinates
    return 2 * (rows < shift).long() + (cols < shift).long()  # (H, W)


def test_shifted_window_mask_matches_independent_regions():
    H, W, M, s = 8, 12, 4, 2
    mask = shifted_window_mask(H, W, M, s)
    assert mask.shape == (6, 16, 16) and mask.dtype == torch.bool
    labels = window_partition(rolled_regions(H, W, s)[None, :, :, None], M)[
        ..., 0
    ]  # (nW, M*M)
    assert mask.equal(labels[:, :, None] == labels[:, None, :])
    assert (
        mask[0].all() and not mask[-1].all()
    )  # interior window unmasked, corner window split
    assert shifted_window_mask(H, W, M, 0).all()


def test_no_recorded_attention_crosses_a_region_boundary():
    H, W, M, s = 8, 8, 4, 2
    block = SwinBlock(16, heads=2, window=M, shift=s)
    with record_attention(block) as probs:
        block(torch.randn(3, H, W, 16))
    labels = window_partition(rolled_regions(H, W, s)[None, :, :, None], M)[
        ..., 0
    ]  # (nW, M*M)
    same = (labels[:, :, None] == labels[:, None, :]).repeat(3, 1, 1)[
        :, None
    ]  # (B*nW, 1, M*M, M*M)
    assert probs[0].shape == (12, 2, 16, 16)
    assert (probs[0] > 0).equal(
        same.expand_as(probs[0])
    )  # nonzero exactly within a region


def test_relative_position_index():
    M = 3
    index = relative_position_index(M)
    center = (M - 1) * (2 * M - 1) + (M - 1)  # offset (0, 0)
    assert (
        index.shape == (9, 9)
        and index.min() == 0
        and index.max() == (2 * M - 1) ** 2 - 1
    )
    assert (index.diagonal() == center).all()
    assert (
        index + index.T == 2 * center
    ).all()  # offset (dy, dx) and (-dy, -dx) mirror the center
    assert index.unique().numel() == (2 * M - 1) ** 2
    # translation invariance: pairs (0,0)->(1,1) and (1,1)->(2,2) share a table row
    assert index[0, 4] == index[4, 8]


def test_shift_zero_block_is_plain_window_attention():
    block = SwinBlock(16, heads=2, window=4, shift=0)
    x = torch.randn(2, 8, 12, 16)
    out = block(x)
    for i in range(0, 8, 4):
        for j in range(
            0, 12, 4
        ):  # each window alone gives the same answer: nothing crosses
            torch.testing.assert_close(
                out[:, i : i + 4, j : j + 4], block(x[:, i : i + 4, j : j + 4])
            )


def test_window_attention_without_bias_is_global_attention_on_one_window():
    block = SwinBlock(16, heads=2, window=4, shift=0)
    torch.nn.init.zeros_(block.attn.bias_table)
    windows = torch.randn(3, 16, 16)
    torch.testing.assert_close(block.attn(windows), block.attn.attn(windows))


def test_patch_merging():
    merge = PatchMerging(8)
    x = torch.randn(2, 4, 6, 8)
    assert merge(x).shape == (2, 2, 3, 16)
    x2 = x.clone()
    x2[:, 2:4, 2:4] = 0  # changing one 2x2 group changes only its merged token
    changed = (merge(x) - merge(x2)).abs().sum(-1) > 0
    assert changed.nonzero().tolist() == [[0, 1, 1], [1, 1, 1]]


def test_swin_shapes_and_hooks():
    model = Swin(
        image_size=32, patch_size=2, dim=16, depths=(2, 2), heads=(2, 4), window=4
    )
    x = torch.randn(2, 3, 32, 32)
    assert model(x).shape == (2, 10)
    assert model.features(x).shape == (2, 32, 8, 8)
    with record_attention(model) as probs:
        model(x)
    assert [tuple(p.shape) for p in probs] == [(32, 2, 16, 16)] * 2 + [
        (8, 4, 16, 16)
    ] * 2
    assert [b.shift for b in model.modules() if isinstance(b, SwinBlock)] == [
        0,
        2,
        0,
        2,
    ]
    with record_features(model) as maps:
        model(x)
    assert [tuple(m.shape) for m in maps] == [(2, 32, 8, 8)]
    assert [tuple(m.shape) for m in model.stage_maps(x)] == [
        (2, 16, 16, 16),  # stage 1, before its patch merging
        (2, 32, 8, 8),
    ]
    assert model.feature_dim == 32


def test_swin_presets_and_small_last_stage():
    assert swin_micro()(torch.randn(1, 3, 32, 32)).shape == (1, 10)
    assert swin_tiny()(torch.randn(1, 3, 64, 64)).shape == (1, 10)
    model = (
        Swin()
    )  # 64x64, patch 4: maps 16, 8, 4; the last stage is one unshifted window
    assert [
        (b.window, b.shift) for b in model.stages[2] if isinstance(b, SwinBlock)
    ] == [(4, 0), (4, 0)]


def test_swin_errors():
    with pytest.raises(ValueError, match="heads must have one entry per stage"):
        Swin(depths=(2, 2), heads=(2, 4, 8))
    with pytest.raises(ValueError, match="image_size must be divisible by patch_size"):
        Swin(image_size=60)
    with pytest.raises(ValueError, match="shifted must be True or False"):
        Swin(shifted=1)
    with pytest.raises(ValueError, match="relative_bias must be True or False"):
        Swin(relative_bias="no")
    with pytest.raises(ValueError, match="tokenizer must be one of"):
        Swin(tokenizer="shifted")
    with pytest.raises(ValueError, match="shift must be in"):
        SwinBlock(8, heads=2, window=4, shift=4)
    with pytest.raises(ValueError, match=r"images must be \(32, 32\) \(image_size\)"):
        swin_micro()(torch.randn(1, 3, 64, 64))


def test_flops_formulas_match_the_module_count():
    assert msa_flops(14, 14, 96) == 4 * 196 * 96**2 + 2 * 196**2 * 96
    assert wmsa_flops(56, 56, 96, 7) < msa_flops(56, 56, 96)
    block = SwinBlock(24, heads=2, window=4, shift=2)
    counted = []
    attn = block.attn.attn
    attn.register_forward_hook(
        lambda m, inputs, out: counted.append(m.flops(inputs, out))
    )
    block(torch.randn(3, 8, 12, 24))
    assert counted == [
        2 * 3 * wmsa_flops(8, 12, 24, 4)
    ]  # 2 FLOPs per multiply-add, B = 3
    assert attn.flops((torch.zeros(3, 96, 24),), None) == 2 * 3 * msa_flops(8, 12, 24)


def test_attention_cost_curve():
    rows = attention_cost_curve([4, 8], dim=16, window=4, heads=2, repeats=1)
    assert [r["tokens"] for r in rows] == [16, 64]
    for r in rows:
        assert r["global_flops"] == 2 * msa_flops(r["size"], r["size"], 16)
        assert r["window_flops"] == 2 * wmsa_flops(r["size"], r["size"], 16, 4)
        assert r["global_ms"] > 0 and r["window_ms"] > 0
    assert (
        rows[0]["global_flops"] == rows[0]["window_flops"]
    )  # one window = the whole map
    with pytest.raises(ValueError, match="divisible by window=4"):
        attention_cost_curve([6], window=4)


def test_swin_uses_the_shared_attention():
    model = swin_micro()
    assert sum(isinstance(m, MultiHeadAttention) for m in model.modules()) == 4


def test_swin_overfits_one_batch():
    torch.manual_seed(0)
    model = swin_micro()
    x, y = torch.randn(8, 3, 32, 32), torch.arange(8)
    overfit_one_batch(model, x, y, factor=5, steps=80)


def ablation(**options):
    torch.manual_seed(0)
    return Swin(
        image_size=32,
        patch_size=2,
        dim=16,
        depths=(2, 2),
        heads=(2, 4),
        window=4,
        **options,
    )


def windows_alone(block, x):
    """Whether ``block`` answers each 4 x 4 window of ``x`` as it answers it alone."""
    out = block(x)
    return all(
        torch.allclose(out[:, i : i + 4, j : j + 4], block(x[:, i : i + 4, j : j + 4]))
        for i in range(0, x.shape[1], 4)
        for j in range(0, x.shape[2], 4)
    )


def test_swin_without_shifts_keeps_every_window_in_place():
    model = ablation(shifted=False).eval()
    blocks = [b for b in model.modules() if isinstance(b, SwinBlock)]
    assert len(blocks) == 4 and all(b.shift == 0 for b in blocks)
    x = torch.randn(2, 3, 32, 32)
    with record_attention(model) as probs:
        logits = model(x)
    assert logits.shape == (2, 10) and torch.isfinite(logits).all()
    assert len(probs) == 4 and all((p > 0).all() for p in probs)  # nothing masked
    # the second block of stage 1, shifted in the paper's model, mixes no windows
    maps = torch.randn(2, 16, 16, 16)
    assert windows_alone(blocks[1], maps)
    shifted = [b for b in ablation().modules() if isinstance(b, SwinBlock)][1]
    assert shifted.shift == 2 and not windows_alone(shifted.eval(), maps)


def test_swin_without_relative_bias_keeps_a_frozen_zero_table():
    model = ablation(relative_bias=False)
    attentions = [m for m in model.modules() if isinstance(m, WindowAttention)]
    tables = [m.bias_table for m in attentions]
    assert len(tables) == 4
    assert all((t == 0).all() and not t.requires_grad for t in tables)
    before = [p.detach().clone() for p in model.parameters()]
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.05)
    x, y = torch.randn(4, 3, 32, 32), torch.arange(4)
    logits = model(x)
    assert logits.shape == (4, 10) and torch.isfinite(logits).all()
    torch.nn.functional.cross_entropy(logits, y).backward()
    optimizer.step()
    assert all((t == 0).all() and t.grad is None for t in tables)
    changed = [not torch.equal(a, b) for a, b in zip(before, model.parameters())]
    assert sum(changed) == len(changed) - len(tables), "only the tables stay put"
    # with a zero table, window attention is plain attention on each window
    windows = torch.randn(3, 16, 16)
    torch.testing.assert_close(attentions[0](windows), attentions[0].attn(windows))


def test_swin_with_relative_bias_learns_its_table():
    model = ablation()
    tables = [m.bias_table for m in model.modules() if isinstance(m, WindowAttention)]
    assert all(t.requires_grad and (t != 0).any() for t in tables)
    model(torch.randn(2, 3, 32, 32)).logsumexp(1).sum().backward()
    assert all(t.grad is not None and t.grad.abs().sum() > 0 for t in tables)


def test_swin_with_a_conv_stem_gives_the_same_token_grid():
    from scratchvision.blocks import ConvStem

    patch, conv = Swin(tokenizer="patch").eval(), Swin(tokenizer="conv").eval()
    assert isinstance(conv.patch_embed, ConvStem)
    x = torch.randn(2, 3, 64, 64)
    assert [m.shape for m in patch.stage_maps(x)] == [
        m.shape for m in conv.stage_maps(x)
    ]
    assert conv(x).shape == (2, 10)

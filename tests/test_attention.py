"""Attention from scratch vs torch's (values, gradients), masks, the inspection door."""

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from einops import rearrange
from scratchvision.blocks import MultiHeadAttention, record_attention
from scratchvision.ops.attention import attention


def qkv(B=2, h=3, Q=5, N=7, d=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    shapes = ((B, h, Q, d), (B, h, N, d), (B, h, N, d))
    return [
        torch.randn(s, generator=g, dtype=torch.float64, requires_grad=True)
        for s in shapes
    ]


def random_keep(B=2, h=3, Q=5, N=7, seed=1):
    keep = torch.rand(B, 1, Q, N, generator=torch.Generator().manual_seed(seed)) > 0.5
    keep[..., 0] = True  # every query keeps a key
    return keep


def grads(out, inputs):
    return torch.autograd.grad(out, inputs, torch.ones_like(out))


@pytest.mark.parametrize("use_mask", [False, True])
def test_attention_matches_sdpa(use_mask):
    q, k, v = qkv()
    mask = random_keep() if use_mask else None
    ours, _ = attention(q, k, v, mask=mask)
    ref = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(ours, ref)
    for a, b in zip(grads(ours, (q, k, v)), grads(ref, (q, k, v))):
        torch.testing.assert_close(a, b)


def test_attention_bias_is_additive_like_sdpa_float_mask():
    q, k, v = qkv()
    bias = torch.randn(3, 5, 7, dtype=torch.float64)  # one bias per head, as Swin's
    ours, _ = attention(q, k, v, bias=bias)
    torch.testing.assert_close(
        ours, F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
    )


def test_mask_blocks_exactly():
    q, k, v = qkv()
    keep = random_keep()
    keep[..., 3] = False  # nobody may look at key 3
    out, probs = attention(q, k, v, mask=keep)
    assert (probs.masked_select(~keep.expand_as(probs)) == 0).all()
    torch.testing.assert_close(probs.sum(-1), torch.ones(2, 3, 5, dtype=torch.float64))
    v_changed = v.detach().clone()
    v_changed[:, :, 3] += 100.0
    torch.testing.assert_close(
        attention(q, k, v_changed, mask=keep)[0], out
    )  # no leak from key 3


def mha_pair(dim=12, heads=3, seed=0):
    """Our module and torch's, with the same weights."""
    torch.manual_seed(seed)
    ours = MultiHeadAttention(dim, heads=heads).double()
    ref = nn.MultiheadAttention(dim, heads, batch_first=True).double()
    with torch.no_grad():
        w_q, w_k, w_v = ref.in_proj_weight.chunk(3)
        b_q, b_k, b_v = ref.in_proj_bias.normal_().chunk(3)
        for lin, w, b in (
            (ours.to_q, w_q, b_q),
            (ours.to_k, w_k, b_k),
            (ours.to_v, w_v, b_v),
        ):
            lin.weight.copy_(w)
            lin.bias.copy_(b)
        ours.to_out[0].weight.copy_(ref.out_proj.weight)
        ours.to_out[0].bias.copy_(ref.out_proj.bias.normal_())
    return ours, ref


@pytest.mark.parametrize("kind", ["self", "self_masked", "cross", "cross_values"])
def test_module_matches_nn_multiheadattention(kind):
    ours, ref = mha_pair()
    g = torch.Generator().manual_seed(2)
    x = torch.randn(2, 5, 12, generator=g, dtype=torch.float64, requires_grad=True)
    c = torch.randn(2, 7, 12, generator=g, dtype=torch.float64, requires_grad=True)
    vals = torch.randn(2, 7, 12, generator=g, dtype=torch.float64, requires_grad=True)
    if kind.startswith("self"):
        keep = random_keep(B=1, Q=5, N=5)[0, 0] if kind == "self_masked" else None
        out = ours(x, mask=keep)
        expected = ref(x, x, x, attn_mask=None if keep is None else ~keep)[
            0
        ]  # torch: True = block
        inputs = (x,)
    elif kind == "cross":
        out, expected, inputs = ours(x, c), ref(x, c, c)[0], (x, c)
    else:
        out, expected, inputs = (
            ours(x, c, values=vals),
            ref(x, c, vals)[0],
            (x, c, vals),
        )
    torch.testing.assert_close(out, expected)
    n = len(inputs)
    ours_g = grads(
        out,
        [
            *inputs,
            ours.to_q.weight,
            ours.to_k.weight,
            ours.to_v.weight,
            ours.to_out[0].weight,
        ],
    )
    ref_g = grads(expected, [*inputs, ref.in_proj_weight, ref.out_proj.weight])
    for a, b in zip(ours_g[:n], ref_g[:n]):  # inputs
        torch.testing.assert_close(a, b)
    torch.testing.assert_close(
        torch.cat(ours_g[n : n + 3]), ref_g[n]
    )  # W^Q, W^K, W^V stacked
    torch.testing.assert_close(ours_g[n + 3], ref_g[n + 1])  # W^O


def test_batched_equals_per_sample():
    attn = MultiHeadAttention(8, heads=2)
    x = torch.randn(3, 6, 8)
    torch.testing.assert_close(
        attn(x), torch.cat([attn(x[i : i + 1]) for i in range(3)])
    )


def test_head_dim_can_differ_from_dim_over_heads():
    attn = MultiHeadAttention(10, heads=3, head_dim=4)
    assert attn(torch.randn(2, 5, 10)).shape == (2, 5, 10)
    assert attn.to_q.out_features == 12


def test_record_attention_shapes_order_and_cleanup():
    model = nn.Sequential(
        MultiHeadAttention(8, heads=2), MultiHeadAttention(8, heads=4)
    )
    x = torch.randn(3, 6, 8)
    with record_attention(model) as probs:
        model(x)
    assert [tuple(p.shape) for p in probs] == [(3, 2, 6, 6), (3, 4, 6, 6)]
    for p in probs:
        torch.testing.assert_close(p.sum(-1), torch.ones(p.shape[:-1]))
        assert not p.requires_grad
    model(x)
    assert len(probs) == 2 and all(m.recorder is None for m in model)


def test_record_attention_cross_and_gradients():
    attn = MultiHeadAttention(8, heads=2)
    x, c = torch.randn(2, 3, 8), torch.randn(2, 9, 8)
    with record_attention(attn, detach=False) as probs:
        out = attn(x, c)
    assert probs[0].shape == (2, 2, 3, 9)
    (g,) = torch.autograd.grad(
        out.sum(), probs[0]
    )  # d loss / d probs, for Chefer et al.
    assert g.abs().sum() > 0


def test_record_attention_nests():
    attn = MultiHeadAttention(8, heads=2)
    x = torch.randn(1, 4, 8)
    with record_attention(attn) as outer:
        attn(x)
        with record_attention(attn) as inner:
            attn(x)
        attn(x)
    assert len(outer) == 2 and len(inner) == 1


def test_flops_counts_the_four_matrix_products():
    attn = MultiHeadAttention(12, heads=3)
    B, Q, N, D = 2, 5, 7, 12
    projections = Q * D * D + 2 * N * D * D + Q * D * D
    assert attn.flops((torch.zeros(B, Q, D), torch.zeros(B, N, D)), None) == 2 * B * (
        projections + 2 * Q * N * D
    )
    assert attn.flops((torch.zeros(B, N, D),), None) == 2 * B * (
        4 * N * D * D + 2 * N * N * D
    )


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="dim must be divisible by heads"):
        MultiHeadAttention(10, heads=3)
    attn = MultiHeadAttention(8, heads=2)
    with pytest.raises(ValueError, match="x must be a 3-D tensor"):
        attn(torch.randn(4, 8))
    with pytest.raises(ValueError, match="mask must broadcast"):
        attn(torch.randn(2, 4, 8), mask=torch.ones(2, 5, 5, dtype=torch.bool))
    with pytest.raises(ValueError, match="mask must have dtype torch.bool"):
        attn(torch.randn(2, 4, 8), mask=torch.ones(4, 4))
    with pytest.raises(ValueError, match="context must have width D=8"):
        attn(torch.randn(2, 4, 8), torch.randn(2, 4, 6))
    with pytest.raises(ValueError, match="bias must broadcast"):
        attention(*qkv(), bias=torch.zeros(4, 4))
    with pytest.raises(ValueError, match="must agree"):
        attention(*qkv()[:2], torch.randn(2, 3, 6, 4, dtype=torch.float64))
    with pytest.raises(ValueError, match="record_attention: model must contain"):
        with record_attention(nn.Linear(2, 2)):
            pass


def locality_pair(dim=12, heads=3, seed=0):
    """Locality attention and a plain one with the same projections (float64)."""
    torch.manual_seed(seed)
    local = MultiHeadAttention(dim, heads=heads, locality=True).double()
    plain = MultiHeadAttention(dim, heads=heads).double()
    weights = {k: v for k, v in local.state_dict().items() if k != "temperature"}
    plain.load_state_dict(weights)
    return local, plain


def test_locality_attention_never_attends_to_itself():
    local, plain = locality_pair()
    x = torch.randn(2, 6, 12, dtype=torch.float64)
    with record_attention(local) as probs, record_attention(plain) as plain_probs:
        local(x)
        plain(x)
    (p,) = probs
    assert p.shape == (2, 3, 6, 6)
    assert (p.diagonal(dim1=-2, dim2=-1) == 0).all()
    off_diagonal = ~torch.eye(6, dtype=torch.bool)
    assert (p[..., off_diagonal] > 0).all()
    torch.testing.assert_close(p.sum(-1), torch.ones(2, 3, 6, dtype=torch.float64))
    assert (plain_probs[0].diagonal(dim1=-2, dim2=-1) > 0).all()  # what it removes


def test_locality_attention_starts_as_plain_attention_without_the_diagonal():
    local, plain = locality_pair()
    assert local.temperature.item() == pytest.approx(4**0.5)  # sqrt(head_dim)
    x = torch.randn(2, 6, 12, dtype=torch.float64)
    others = ~torch.eye(6, dtype=torch.bool)
    torch.testing.assert_close(local(x), plain(x, mask=others))
    keep = random_keep(B=2, Q=6, N=6)  # a caller's mask is kept, minus the diagonal
    keep[..., 1] = True  # (every query keeps a key other than itself)
    torch.testing.assert_close(local(x, mask=keep), plain(x, mask=keep & others))
    assert not torch.allclose(local(x), plain(x))  # the diagonal mattered


def test_locality_temperature_scales_the_logits_like_sdpa_scale():
    local, _ = locality_pair()
    with torch.no_grad():
        local.temperature.fill_(0.7)
    x = torch.randn(2, 6, 12, dtype=torch.float64)
    split = "b n (h d) -> b h n d"
    q, k, v = (
        rearrange(f(x), split, h=3) for f in (local.to_q, local.to_k, local.to_v)
    )
    out = F.scaled_dot_product_attention(
        q, k, v, attn_mask=~torch.eye(6, dtype=torch.bool), scale=1 / 0.7
    )  # softmax(q k^T / temperature) v, the diagonal blocked
    expected = local.to_out(rearrange(out, "b h n d -> b n (h d)"))
    torch.testing.assert_close(local(x), expected)


def test_locality_temperature_is_learned():
    local, _ = locality_pair()
    assert local.temperature.requires_grad
    assert "temperature" in dict(local.named_parameters())
    local(torch.randn(2, 6, 12, dtype=torch.float64)).square().sum().backward()
    assert local.temperature.grad is not None and local.temperature.grad.abs() > 0
    assert not hasattr(MultiHeadAttention(12, heads=3), "temperature")


def test_locality_attention_errors_name_the_argument():
    local = MultiHeadAttention(8, heads=2, locality=True)
    with pytest.raises(ValueError, match="locality must be True or False"):
        MultiHeadAttention(8, heads=2, locality=1)
    with pytest.raises(ValueError, match="mask must have dtype torch.bool"):
        local(torch.randn(2, 4, 8), mask=torch.ones(4, 4))
    with pytest.raises(ValueError, match="mask must broadcast"):
        local(torch.randn(2, 4, 8), mask=torch.ones(2, 5, 5, dtype=torch.bool))
    with pytest.raises(ValueError, match="at least 2 tokens with locality=True"):
        local(torch.randn(2, 1, 8))  # its only key is itself: no row to normalise

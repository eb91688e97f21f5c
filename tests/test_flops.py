"""scratchvision.flops against closed forms and torch's FlopCounterMode (the oracle)."""

import pytest
import torch
from scratchvision.backbones import (
    AlexNet,
    LeNet,
    ResNet,
    plain20,
    resnet20,
    resnet29_bottleneck,
    vgg11_small,
    vgg_small,
)
from scratchvision.flops import (
    count_flops,
    count_params,
    flops_by_module,
    format_table,
    matmul_flops,
    summary_table,
)
from scratchvision.ops.attention import MultiHeadAttention
from torch import nn
from torch.utils.flop_counter import FlopCounterMode


def oracle_flops(fn, *args):
    """FLOPs PyTorch's own counter sees in ``fn(*args)``: convolutions and matmuls."""
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        fn(*args)
    return counter.get_total_flops()


@pytest.mark.parametrize("bias", [False, True])
def test_conv2d_closed_form(bias):
    conv = nn.Conv2d(3, 8, kernel_size=3, padding=1, bias=bias)
    # 2 FLOPs per MAC, C_out * H' * W' outputs per image, C_in * kh * kw MACs each;
    # bias adds not counted
    assert count_flops(conv, (2, 3, 32, 32)) == 2 * 2 * (8 * 32 * 32) * (3 * 3 * 3)
    assert count_params(conv) == 8 * 3 * 3 * 3 + (8 if bias else 0)


def test_grouped_strided_conv_closed_form():
    conv = nn.Conv2d(8, 12, kernel_size=(3, 5), stride=2, padding=1, groups=4)
    h_out, w_out = (15 + 2 - 3) // 2 + 1, (17 + 2 - 5) // 2 + 1
    assert count_flops(conv, (2, 8, 15, 17)) == 2 * 2 * (12 * h_out * w_out) * (
        8 // 4 * 3 * 5
    )
    assert count_params(conv) == 12 * (8 // 4) * 3 * 5 + 12


@pytest.mark.parametrize("bias", [False, True])
def test_linear_closed_form_on_tokens(bias):
    linear = nn.Linear(20, 7, bias=bias)
    assert count_flops(linear, (2, 5, 20)) == 2 * (2 * 5) * 7 * 20
    assert count_params(linear) == 7 * 20 + (7 if bias else 0)


def test_sequential_is_the_sum_of_its_layers():
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 5)
    )
    per_module = flops_by_module(model, (3, 1, 8, 8))
    assert per_module == {"0": 2 * 3 * (4 * 6 * 6) * 9, "3": 2 * 3 * 5 * 144}
    assert count_flops(model, torch.zeros(3, 1, 8, 8)) == sum(per_module.values())


def test_norms_and_pools_closed_form():
    x = (2, 4, 8, 8)
    assert count_flops(nn.BatchNorm2d(4), x) == 2 * 2 * 4 * 8 * 8
    assert count_flops(nn.LayerNorm(8), x) == 2 * 2 * 4 * 8 * 8
    assert count_flops(nn.MaxPool2d(2), x) == (2 * 4 * 4 * 4) * 4
    assert count_flops(nn.AvgPool2d((3, 2), stride=1), x) == (2 * 4 * 6 * 7) * 6
    assert count_flops(nn.AdaptiveAvgPool2d(1), x) == 2 * 4 * 8 * 8
    assert count_flops(nn.ReLU(), x) == 0


def test_transposed_conv_matches_oracle():
    up = nn.ConvTranspose2d(6, 4, kernel_size=3, stride=2, groups=2)
    x = torch.randn(2, 6, 5, 5)
    assert (
        count_flops(up, x) == oracle_flops(up, x) == 2 * (2 * 6 * 5 * 5) * (4 // 2 * 9)
    )


@pytest.mark.parametrize(
    "a, b",
    [
        ((4, 5), (5, 6)),
        ((2, 3, 4, 5), (2, 3, 5, 6)),
        ((4, 5), (3, 5, 6)),
        ((2, 1, 4, 5), (3, 5, 6)),
    ],
)
def test_matmul_flops_matches_oracle(a, b):
    assert matmul_flops(a, b) == oracle_flops(
        torch.matmul, torch.randn(a), torch.randn(b)
    )


def test_matmul_flops_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"a_shape\[-1\] must equal b_shape\[-2\]"):
        matmul_flops((4, 5), (6, 7))
    with pytest.raises(ValueError, match="must have >= 2 dims"):
        matmul_flops((5,), (5, 6))


class Gram(nn.Module):
    """A from-scratch module: a projection, then a matmul in its own forward code."""

    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(6, 6)

    def forward(self, x):
        y = self.proj(x)  # (B, N, D)
        return y @ y.transpose(1, 2)  # (B, N, N)

    def flops(self, inputs, output):
        b, n, d = inputs[0].shape
        return 2 * b * n * d * d + matmul_flops((b, n, d), (b, d, n))


def test_module_with_flops_method_counts_itself_and_its_children():
    model = nn.Sequential(Gram(), nn.Flatten(), nn.Linear(16, 2))
    x = torch.randn(3, 4, 6)
    per_module = flops_by_module(model, x)
    assert set(per_module) == {"0", "2"}  # "0.proj" is inside Gram's own count
    assert count_flops(model, x) == oracle_flops(model, x)


def test_attention_module_reports_its_flops():
    """Cross-module reuse: MultiHeadAttention declares flops() for this counter."""
    attention = MultiHeadAttention(32, heads=4)
    x = torch.randn(2, 10, 32)
    assert count_flops(attention, x) == oracle_flops(attention, x)


CHAPTER_1 = {
    "LeNet": (LeNet, 1),
    "AlexNet": (AlexNet, 3),
    "vgg_small": (vgg_small, 3),
    "vgg11_small": (vgg11_small, 3),
    "ResNet": (ResNet, 3),
    "resnet20": (resnet20, 3),
    "plain20": (plain20, 3),
    "resnet29_bottleneck": (resnet29_bottleneck, 3),
}


@pytest.mark.parametrize("name", CHAPTER_1)
def test_conv_and_linear_flops_match_oracle(name):
    builder, channels = CHAPTER_1[name]
    model, x = builder(), torch.randn(1, channels, 32, 32)
    per_module = flops_by_module(model, x)
    modules = dict(model.named_modules())
    conv_linear = sum(
        n
        for key, n in per_module.items()
        if isinstance(modules[key], (nn.Conv2d, nn.Linear))
    )
    assert conv_linear == oracle_flops(model, x)
    assert count_flops(model, x) > conv_linear  # norms and pools come on top


def test_resnet20_has_the_published_cost():
    # He et al. 2016 (Table 6): 0.27M parameters;
    # the often quoted ~41M multiply-adds per 32x32 image
    assert count_params(resnet20()) == 269_722
    assert 40e6 < count_flops(resnet20(), (1, 3, 32, 32)) / 2 < 42e6


def test_count_params_trainable_only():
    model = nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2))
    model[0].requires_grad_(False)
    assert count_params(model) == 3 * 2 + 2
    assert count_params(model, trainable_only=False) == 4 * 3 + 3 + 3 * 2 + 2


def test_count_flops_restores_mode_and_rejects_bad_inputs():
    model = vgg_small().train()
    count_flops(model, (1, 3, 16, 16))
    assert model.training and all(m.training for m in model.modules())
    with pytest.raises(ValueError, match="inputs must be a Tensor or a shape"):
        count_flops(model, "3x16x16")


def test_summary_table_rows_and_text():
    models = {"lenet": LeNet(in_channels=3), "plain20": plain20()}
    rows = summary_table(models, (1, 3, 32, 32))
    assert [r["name"] for r in rows] == ["lenet", "plain20"]
    assert rows[1] == {
        "name": "plain20",
        "params": 269_722,
        "flops": count_flops(models["plain20"], (1, 3, 32, 32)),
    }
    text = format_table(rows)
    assert text.splitlines()[0].split() == ["model", "params", "(M)", "MFLOPs"]
    assert "0.270" in text.splitlines()[2]

"""Checkers of lesson 1.2: right answers pass, typical mistakes fail with a message."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from scratchvision import checks


def stacked_conv_params(channels, n_layers):
    return n_layers * (9 * channels**2 + channels), (2 * n_layers + 1) ** 2 * channels**2 + channels


def stacked_conv_params_without_biases(channels, n_layers):
    return n_layers * 9 * channels**2, (2 * n_layers + 1) ** 2 * channels**2


def stacked_conv_params_wrong_field(channels, n_layers):
    return n_layers * (9 * channels**2 + channels), (3 * n_layers) ** 2 * channels**2 + channels  # 3n, not 2n + 1


def test_stacked_conv_params_accepts_the_formula(capsys):
    assert checks.stacked_conv_params(stacked_conv_params) is True
    assert "✓ stacked_conv_params: all 6 cases match" in capsys.readouterr().out


@pytest.mark.parametrize("fn", [stacked_conv_params_without_biases, stacked_conv_params_wrong_field])
def test_stacked_conv_params_rejects_mistakes(fn, capsys):
    assert checks.stacked_conv_params(fn) is False
    assert "✗ stacked_conv_params: case" in capsys.readouterr().out


class Block(nn.Module):
    def __init__(self, channels, *, skip_after_relu=False, skip=True):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.skip_after_relu, self.skip = skip_after_relu, skip

    def forward(self, x):
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        if self.skip_after_relu:
            return F.relu(out) + x
        return F.relu(out + x) if self.skip else F.relu(out)


def test_residual_block_accepts_he_et_al_fig_2(capsys):
    assert checks.residual_block(Block) is True
    assert "✓ residual_block: all 3 cases match" in capsys.readouterr().out


@pytest.mark.parametrize("kwargs", [dict(skip_after_relu=True), dict(skip=False)])
def test_residual_block_rejects_a_misplaced_or_missing_skip(kwargs, capsys):
    assert checks.residual_block(lambda c: Block(c, **kwargs)) is False
    out = capsys.readouterr().out
    assert "✗ residual_block: case 1 of 3 does not match" in out and "values differ" in out


def test_residual_block_reports_a_stub_and_a_wrong_layer():
    class Stub(Block):
        def forward(self, x):
            ...  # your code here

    class Biased(Block):
        def __init__(self, channels):
            super().__init__(channels)
            self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)  # a bias the library block lacks

    assert checks.residual_block(Stub) is False
    assert checks.residual_block(Biased) is False


def test_the_random_block_is_deterministic_and_not_trivial():
    x = torch.randn(2, 4, 5, 5, generator=torch.Generator().manual_seed(0))
    a, b = checks._random_basic_block(4, 3), checks._random_basic_block(4, 3)
    torch.testing.assert_close(a(x), b(x))
    assert a.training is False and (a(x) - F.relu(x)).abs().max() > 0.1  # the branch contributes

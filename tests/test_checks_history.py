"""Checkers of lesson 1.2: right answers pass, typical mistakes fail with a message."""

import pytest
import torch
import torch.nn.functional as F
from scratchvision import checks


def stacked_conv_params(channels, n_layers):
    return n_layers * (9 * channels**2 + channels), (
        2 * n_layers + 1
    ) ** 2 * channels**2 + channels


def stacked_conv_params_without_biases(channels, n_layers):
    return n_layers * 9 * channels**2, (2 * n_layers + 1) ** 2 * channels**2


def stacked_conv_params_wrong_field(channels, n_layers):
    return n_layers * (9 * channels**2 + channels), (
        3 * n_layers
    ) ** 2 * channels**2 + channels  # 3n, not 2n + 1


def test_stacked_conv_params_accepts_the_formula(capsys):
    assert checks.stacked_conv_params(stacked_conv_params) is True
    assert "✓ stacked_conv_params: all 6 cases match" in capsys.readouterr().out


@pytest.mark.parametrize(
    "fn", [stacked_conv_params_without_biases, stacked_conv_params_wrong_field]
)
def test_stacked_conv_params_rejects_mistakes(fn, capsys):
    assert checks.stacked_conv_params(fn) is False
    assert "✗ stacked_conv_params: case" in capsys.readouterr().out


def residual_forward(x, conv1, bn1, conv2, bn2):
    return F.relu(bn2(conv2(F.relu(bn1(conv1(x))))) + x)


def skip_after_relu(x, conv1, bn1, conv2, bn2):
    return F.relu(bn2(conv2(F.relu(bn1(conv1(x)))))) + x


def no_skip(x, conv1, bn1, conv2, bn2):
    return F.relu(bn2(conv2(F.relu(bn1(conv1(x))))))


def stub(x, conv1, bn1, conv2, bn2): ...  # your code here


def test_residual_block_accepts_he_et_al_fig_2(capsys):
    assert checks.residual_block(residual_forward) is True
    assert "✓ residual_block: all 3 cases match" in capsys.readouterr().out


@pytest.mark.parametrize("fn", [skip_after_relu, no_skip])
def test_residual_block_rejects_a_misplaced_or_missing_skip(fn, capsys):
    assert checks.residual_block(fn) is False
    out = capsys.readouterr().out
    assert (
        "✗ residual_block: case 1 of 3 does not match" in out and "values differ" in out
    )
    assert f"call: {fn.__name__}(Tensor[1, 4, 6, 6], weights_seed=0)" in out


def test_residual_block_reports_a_stub(capsys):
    assert checks.residual_block(stub) is False
    assert "it is still the stub" in capsys.readouterr().out


def test_the_random_block_is_deterministic_and_not_trivial():
    x = torch.randn(2, 4, 5, 5, generator=torch.Generator().manual_seed(0))
    a, b = (
        checks.ch1_history._random_basic_block(4, 3),
        checks.ch1_history._random_basic_block(4, 3),
    )
    torch.testing.assert_close(a(x), b(x))
    assert (
        a.training is False and (a(x) - F.relu(x)).abs().max() > 0.1
    )  # the branch contributes

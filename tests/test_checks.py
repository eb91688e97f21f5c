"""scratchvision.checks: right answers pass, wrong ones fail with a helpful message."""

import re

import pytest
import torch
import torch.nn.functional as F
from scratchvision import checks
from scratchvision.ops import conv, pool


@pytest.mark.parametrize(
    "checker,reference",
    [
        (checks.conv2d, conv.conv2d),
        (lambda fn: checks.conv2d(fn, full=True), conv.conv2d),
        (checks.im2col, conv.im2col),
        (checks.max_pool2d, pool.max_pool2d),
        (checks.conv_output_size, conv.conv_output_size),
        (checks.receptive_field, conv.receptive_field),
    ],
)
def test_library_implementation_passes(checker, reference, capsys):
    assert checker(reference) is True
    assert "✓" in capsys.readouterr().out


def flipped_kernel_conv(x, w):
    """A true convolution (kernel flipped), not deep learning's cross-correlation."""
    return F.conv2d(x, torch.flip(w, dims=(-2, -1)))


def same_padding_conv(x, w):
    return F.conv2d(x, w, padding="same")


def crashing_conv(x, w):
    return x @ w


def stub_conv(x, w): ...  # your code here


@pytest.mark.parametrize(
    "fn,expected_message",
    [
        (flipped_kernel_conv, r"values differ: max abs difference"),
        (same_padding_conv, r"expected shape \(1, 1, 3, 3\), got shape \(1, 1, 5, 5\)"),
        (crashing_conv, r"raised RuntimeError"),
        (stub_conv, r"returned None: it is still the stub"),
    ],
)
def test_wrong_conv2d_fails_with_message(fn, expected_message, capsys):
    assert checks.conv2d(fn) is False
    out = capsys.readouterr().out
    assert out.startswith("✗ conv2d: case 1 of 6")
    assert f"call: {fn.__name__}(Tensor[1, 1, 5, 5], Tensor[1, 1, 3, 3])" in out
    assert re.search(expected_message, out), out


def test_stride_one_conv_passes_basic_but_fails_full(capsys):
    def valid_conv(x, w):
        return F.conv2d(x, w)

    assert checks.conv2d(valid_conv) is True
    assert checks.conv2d(valid_conv, full=True) is False
    assert (
        "raised TypeError" in capsys.readouterr().out
    )  # valid_conv() got an unexpected keyword 'stride'


def test_wrong_numbers_are_reported(capsys):
    assert (
        checks.conv_output_size(lambda size, k, s, p, d: (size + 2 * p - k) // s + 1)
        is False
    )  # forgot dilation
    assert (
        "call: <lambda>(16, 3, 1, 2, 2)\n  expected 16, got 18"
        in capsys.readouterr().out
    )
    assert checks.receptive_field(lambda layers: sum(k for k, s, d in layers)) is False
    assert "expected 7, got 9" in capsys.readouterr().out


def test_wrong_pooling_fails(capsys):
    assert (
        checks.max_pool2d(
            lambda x, k, stride=None, padding=0: F.avg_pool2d(x, k, stride, padding)
        )
        is False
    )
    assert "values differ" in capsys.readouterr().out


def test_reader_may_modify_its_inputs():
    def destructive(x, w):
        out = F.conv2d(x, w)
        x.zero_()  # must not change what the reference sees in later cases
        return out

    assert checks.conv2d(destructive) is True


def test_checks_leave_global_rng_alone():
    state = torch.get_rng_state()
    checks.conv2d(conv.conv2d, full=True)
    assert torch.equal(state, torch.get_rng_state())


def test_compare_is_a_one_line_checker(capsys):
    cases = [((torch.tensor([1.0, -2.0]),), {}), ((torch.zeros(3),), {})]
    assert checks.compare("relu", torch.relu, F.relu, cases) is True
    assert "✓ relu: all 2 cases match" in capsys.readouterr().out
    assert checks.compare("relu", torch.abs, F.relu, cases) is False
    assert (
        "values differ: max abs difference 2 at index (1,) (expected 0, got 2)"
        in capsys.readouterr().out
    )
    with pytest.raises(ValueError, match="checks.relu: fn must be a function"):
        checks.compare("relu", 3, F.relu, cases)

"""scratchvision.ops.conv and ops.pool against the oracle torch.nn.functional."""

import itertools

import pytest
import torch
import torch.nn.functional as F
from scratchvision.ops.conv import (
    conv2d,
    conv2d_naive,
    conv_output_size,
    im2col,
    receptive_field,
)
from scratchvision.ops.pool import avg_pool2d, max_pool2d

# stride, padding, dilation, groups, bias, unbatched
GRID = list(
    itertools.product(
        [1, 2, (2, 1)],
        [0, 1, (2, 0)],
        [1, (1, 2)],
        [1, 2],
        [False, True],
        [False, True],
    )
)
# the slow loop gets every option once, plus a few combinations
NAIVE_GRID = [
    (1, 0, 1, 1, False, False),
    (2, 0, 1, 1, False, False),
    (1, (1, 2), 1, 1, False, False),
    (1, 0, 2, 1, False, False),
    (1, 0, 1, 2, False, False),
    (1, 0, 1, 1, True, False),
    (1, 0, 1, 1, False, True),
    ((2, 1), 1, (1, 2), 2, True, True),
]


def make_conv_inputs(groups, bias, unbatched, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(2, 4, 9, 8, generator=g, dtype=torch.float64)
    w = torch.randn(6, 4 // groups, 3, 2, generator=g, dtype=torch.float64)
    b = torch.randn(6, generator=g, dtype=torch.float64) if bias else None
    return (x[0] if unbatched else x), w, b


def values_and_grads(fn, x, w, b, **options):
    """Output and d(sum(out * probe))/d(x, w, b) for a fixed random probe."""
    leaves = [t.clone().requires_grad_() for t in (x, w, b) if t is not None]
    out = fn(*leaves[:2], leaves[2] if b is not None else None, **options)
    probe = torch.randn(
        out.shape, generator=torch.Generator().manual_seed(1), dtype=out.dtype
    )
    grads = torch.autograd.grad((out * probe).sum(), leaves)
    return out, grads


def assert_matches_torch(fn, stride, padding, dilation, groups, bias, unbatched):
    x, w, b = make_conv_inputs(groups, bias, unbatched)
    options = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    out, grads = values_and_grads(fn, x, w, b, **options)
    ref_out, ref_grads = values_and_grads(F.conv2d, x, w, b, **options)
    torch.testing.assert_close(out, ref_out)
    for got, want in zip(grads, ref_grads):
        torch.testing.assert_close(got, want)


@pytest.mark.parametrize("stride,padding,dilation,groups,bias,unbatched", GRID)
def test_conv2d_matches_torch_values_and_grads(
    stride, padding, dilation, groups, bias, unbatched
):
    assert_matches_torch(conv2d, stride, padding, dilation, groups, bias, unbatched)


@pytest.mark.parametrize("stride,padding,dilation,groups,bias,unbatched", NAIVE_GRID)
def test_conv2d_naive_matches_torch_values_and_grads(
    stride, padding, dilation, groups, bias, unbatched
):
    assert_matches_torch(
        conv2d_naive, stride, padding, dilation, groups, bias, unbatched
    )


def test_conv2d_naive_equals_im2col_float32():
    x, w, b = (
        t.float()
        for t in make_conv_inputs(groups=1, bias=True, unbatched=False, seed=3)
    )
    torch.testing.assert_close(
        conv2d_naive(x, w, b, padding=1), conv2d(x, w, b, padding=1)
    )


@pytest.mark.parametrize(
    "kernel,stride,padding,dilation",
    [
        (3, 1, 0, 1),
        ((3, 2), 2, 1, 1),
        (2, (1, 3), (0, 2), 2),
        (1, 1, 0, 1),
        ((4, 3), 1, 0, (1, 2)),
    ],
)
def test_im2col_matches_unfold(kernel, stride, padding, dilation):
    x = torch.randn(2, 3, 8, 9, dtype=torch.float64, requires_grad=True)
    cols = im2col(x, kernel, stride, padding, dilation)
    ref = F.unfold(x, kernel, dilation=dilation, padding=padding, stride=stride)
    torch.testing.assert_close(cols, ref)
    probe = torch.randn_like(ref)
    (grad,) = torch.autograd.grad((cols * probe).sum(), x)
    (ref_grad,) = torch.autograd.grad((ref * probe).sum(), x)
    torch.testing.assert_close(grad, ref_grad)


@pytest.mark.parametrize(
    "ours,theirs", [(max_pool2d, F.max_pool2d), (avg_pool2d, F.avg_pool2d)]
)
@pytest.mark.parametrize(
    "kernel,stride,padding,unbatched",
    [
        (2, None, 0, False),
        (3, None, 0, False),
        (3, 2, 1, False),
        (3, 1, 1, True),
        ((2, 3), (1, 2), (1, 0), False),
    ],
)
def test_pooling_matches_torch_values_and_grads(
    ours, theirs, kernel, stride, padding, unbatched
):
    x = torch.randn(
        2, 3, 9, 8, dtype=torch.float64
    )  # continuous values: no ties in a window
    x = (x[0] if unbatched else x).requires_grad_()
    out, ref = ours(x, kernel, stride, padding), theirs(x, kernel, stride, padding)
    torch.testing.assert_close(out, ref)
    probe = torch.randn_like(ref)
    torch.testing.assert_close(
        torch.autograd.grad((out * probe).sum(), x)[0],
        torch.autograd.grad((ref * probe).sum(), x)[0],
    )


def test_max_pool2d_ties_send_the_gradient_to_one_entry_like_torch():
    x = (
        torch.randint(0, 3, (2, 3, 8, 8)).double().relu().requires_grad_()
    )  # many equal maxima
    out, ref = max_pool2d(x, 3, 2, 1), F.max_pool2d(x, 3, 2, 1)
    probe = torch.randn_like(ref)
    torch.testing.assert_close(
        torch.autograd.grad((out * probe).sum(), x)[0],
        torch.autograd.grad((ref * probe).sum(), x)[0],
    )


def test_max_pool2d_padding_never_wins():
    x = -torch.ones(
        1, 1, 4, 4
    )  # all real values are below the zero a naive zero-padding would add
    assert max_pool2d(x, 3, 1, 1).max().item() == -1.0


@pytest.mark.parametrize("fn", [conv2d, conv2d_naive])
def test_conv2d_batched_equals_per_sample(fn):
    x, w, b = make_conv_inputs(groups=2, bias=True, unbatched=False)
    batched = fn(x, w, b, stride=2, padding=1, groups=2)
    per_sample = torch.stack([fn(xi, w, b, stride=2, padding=1, groups=2) for xi in x])
    torch.testing.assert_close(batched, per_sample)


def test_empty_batch():
    x, w, _ = make_conv_inputs(groups=1, bias=False, unbatched=False)
    assert conv2d(x[:0], w).shape == (0, 6, 7, 7)
    assert im2col(x[:0], 3).shape == (0, 4 * 9, 7 * 6)
    assert max_pool2d(x[:0], 2).shape == (0, 4, 4, 4)


def test_conv2d_is_translation_equivariant_on_the_interior():
    x = torch.randn(1, 2, 16, 16, dtype=torch.float64)
    w = torch.randn(3, 2, 3, 3, dtype=torch.float64)
    dy, dx = 2, 3
    shifted_then_conv = conv2d(torch.roll(x, (dy, dx), dims=(-2, -1)), w)
    conv_then_shifted = torch.roll(conv2d(x, w), (dy, dx), dims=(-2, -1))
    # roll wraps around; away from the wrapped rows/columns the two must agree exactly
    interior = (slice(None), slice(None), slice(dy + 2, None), slice(dx + 2, None))
    torch.testing.assert_close(shifted_then_conv[interior], conv_then_shifted[interior])


@pytest.mark.parametrize(
    "size,kernel,stride,padding,dilation",
    [(32, 3, 1, 1, 1), (31, 3, 2, 0, 1), (10, 4, 3, 1, 2), (7, 7, 1, 0, 1)],
)
def test_conv_output_size_matches_conv2d_shape(size, kernel, stride, padding, dilation):
    out = F.conv2d(
        torch.zeros(1, 1, size, size),
        torch.zeros(1, 1, kernel, kernel),
        stride=stride,
        padding=padding,
        dilation=dilation,
    )
    assert conv_output_size(size, kernel, stride, padding, dilation) == out.shape[-1]


@pytest.mark.parametrize(
    "layers,expected",
    [
        ([], 1),
        ([(3, 1, 1)] * 3, 7),
        ([(3, 1, 1), (3, 1, 2), (3, 1, 4)], 15),
        ([(2, 2, 1), (3, 1, 1)], 6),
        ([(7, 2, 1), (3, 2, 1), (3, 1, 1)], 19),
    ],
)
def test_receptive_field_formula_and_gradient(layers, expected):
    assert receptive_field(layers) == expected
    if not layers:
        return
    # empirically: the input pixels that influence one output pixel
    # (ones kernels: no cancellation)
    x = torch.randn(1, 1, 48, 48, dtype=torch.float64, requires_grad=True)
    out = x
    for kernel, stride, dilation in layers:
        out = conv2d(
            out,
            torch.ones(1, 1, kernel, kernel, dtype=torch.float64),
            stride=stride,
            dilation=dilation,
        )
    (grad,) = torch.autograd.grad(out[0, 0, out.shape[-2] // 2, out.shape[-1] // 2], x)
    rows = grad[0, 0].abs().sum(dim=1).nonzero()
    assert rows.max() - rows.min() + 1 == expected


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda x, w: conv2d(x[0, 0], w), r"conv2d: input must be a 3-D or 4-D tensor"),
        (
            lambda x, w: conv2d(x.long(), w),
            r"conv2d: input must have a floating-point dtype",
        ),
        (lambda x, w: conv2d(x, w[0]), r"conv2d: weight must be a 4-D tensor"),
        (
            lambda x, w: conv2d(x, w.double()),
            r"conv2d: weight must have dtype torch.float32, got torch.float64",
        ),
        (
            lambda x, w: conv2d(x, w[:, :3]),
            r"weight.shape\[1\] must be input channels / groups = 4 / 1 = 4, got",
        ),
        (
            lambda x, w: conv2d(x, w, groups=3),
            r"groups=3 must divide both input channels \(4\)",
        ),
        (lambda x, w: conv2d(x, w, groups=0), r"conv2d: groups must be >= 1"),
        (
            lambda x, w: conv2d(x, w, bias=torch.zeros(5)),
            r"conv2d: bias must have 6 entries",
        ),
        (lambda x, w: conv2d(x, w, stride=0), r"conv2d: stride must be >= 1"),
        (
            lambda x, w: conv2d(x, w, padding=(1, 2, 3)),
            r"conv2d: padding must be an int or a pair",
        ),
        (
            lambda x, w: conv2d_naive(x, w, dilation=5),
            r"conv2d_naive: weight's kernel \(3, 2\) with dilation \(5, 5\) spans 11",
        ),
        (lambda x, w: im2col(x[0], 3), r"im2col: input must be a 4-D tensor"),
        (lambda x, w: im2col(x, 0), r"im2col: kernel_size must be >= 1"),
        (
            lambda x, w: max_pool2d(x, 2, padding=2),
            r"max_pool2d: padding must be at most half of kernel_size",
        ),
        (
            lambda x, w: avg_pool2d(x, 10),
            r"avg_pool2d: kernel_size \(10, 10\) spans 10 pixels of height",
        ),
        (
            lambda x, w: conv_output_size(4, 7),
            r"conv_output_size: kernel spans 7 pixels",
        ),
        (
            lambda x, w: conv_output_size(32, 3, stride=1.5),
            r"conv_output_size: stride must be an int",
        ),
        (
            lambda x, w: receptive_field([(3, 1)]),
            r"receptive_field: layers\[0\] must be a \(kernel, stride, dilation\)",
        ),
        (
            lambda x, w: receptive_field([(3, 0, 1)]),
            r"receptive_field: layers\[0\]\[1\] must be >= 1",
        ),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, match):
    x, w, _ = make_conv_inputs(groups=1, bias=False, unbatched=False)
    with pytest.raises(ValueError, match=match):
        call(x.float(), w.float())

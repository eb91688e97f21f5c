"""Exercise checkers: run a reader's function on fixed random cases against a reference.

Every checker prints ``✓ name: all N cases match`` or a short report of the first case
that fails (the call, expected vs got shape, the largest difference, or the exception
the reader's code raised) and returns ``True`` / ``False``. A wrong answer never raises.

    >>> from scratchvision import checks
    >>> checks.conv2d(my_conv2d)
    ✓ conv2d: all 6 cases match

Adding a checker is one line, ``compare(name, fn, reference, cases)``, with the cases
built by a small function of a seeded ``torch.Generator`` (no global RNG is touched).
Sections follow the course: one per lesson.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch
import torch.nn.functional as F

from scratchvision.ops.conv import conv_output_size as _conv_output_size
from scratchvision.ops.conv import receptive_field as _receptive_field

Case = tuple[tuple, dict]  # positional arguments, keyword arguments


def compare(
    name: str,
    fn: Callable,
    reference: Callable,
    cases: Sequence[Case],
    *,
    atol: float = 1e-4,
    rtol: float = 1e-4,
) -> bool:
    """Call ``fn`` and ``reference`` on every case; report the first mismatch.

    Args:
        name: what the reader implemented, for the message.
        fn: the reader's function. It gets clones of tensor arguments, so it may modify
            them.
        reference: the trusted implementation.
        cases: ``(args, kwargs)`` pairs.
        atol, rtol: tolerances for tensors and floats (as in ``torch.allclose``).

    Returns:
        True if every case matches, else False (after printing what went wrong).
    """
    if not callable(fn):
        raise ValueError(
            f"checks.{name}: fn must be a function, got {type(fn).__name__}"
        )
    for i, (args, kwargs) in enumerate(cases, start=1):
        expected = reference(*args, **kwargs)
        call = _describe_call(getattr(fn, "__name__", name), args, kwargs)
        try:
            got = fn(*_clone(args), **_clone(kwargs))
        except Exception as error:  # the reader's bug, reported rather than raised
            print(
                f"✗ {name}: case {i} of {len(cases)} raised {type(error).__name__}: "
                f"{error}\n  call: {call}"
            )
            return False
        if got is None and expected is not None:
            print(
                f"✗ {name}: case {i} of {len(cases)} returned None: it is still the "
                f"stub.\n  call: {call}\n  Write its body above and run this cell again"
            )
            return False
        problem = _difference(expected, got, atol, rtol)
        if problem:
            print(
                f"✗ {name}: case {i} of {len(cases)} does not match\n  call: {call}\n  "
                f"{problem}"
            )
            return False
    print(f"✓ {name}: all {len(cases)} cases match")
    return True


def _difference(expected: Any, got: Any, atol: float, rtol: float) -> str | None:
    """Describe how ``got`` differs from ``expected``; None if they match."""
    if isinstance(expected, torch.Tensor):
        if not isinstance(got, torch.Tensor):
            return (
                f"expected a Tensor of shape {tuple(expected.shape)}, "
                f"got {type(got).__name__}"
            )
        if got.shape != expected.shape:
            return (
                f"expected shape {tuple(expected.shape)}, got shape {tuple(got.shape)}"
            )
        e, g = expected.detach().double(), got.detach().double()
        if torch.allclose(g, e, atol=atol, rtol=rtol):
            return None
        if g.isnan().any():
            return "got NaN values"
        error = (g - e).abs()
        where = tuple(int(k) for k in torch.unravel_index(error.argmax(), error.shape))
        return (
            f"shapes match {tuple(expected.shape)} but values differ: max abs "
            f"difference {error.max().item():.3g} at index {where} (expected "
            f"{e[where].item():.4g}, got {g[where].item():.4g})"
        )
    if isinstance(expected, float):
        ok = isinstance(got, (int, float)) and math.isclose(
            got, expected, rel_tol=rtol, abs_tol=atol
        )
        return None if ok else f"expected {expected:.4g}, got {got!r}"
    try:
        same = bool(got == expected)
    except Exception:  # e.g. a multi-element tensor where a number was expected
        same = False
    return None if same else f"expected {expected!r}, got {got!r}"


def _clone(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.clone()
    if isinstance(value, (tuple, list)):
        return type(value)(_clone(v) for v in value)
    if isinstance(value, dict):
        return {k: _clone(v) for k, v in value.items()}
    return value


def _describe_call(fn_name: str, args: tuple, kwargs: dict) -> str:
    def show(v: Any) -> str:
        return f"Tensor{list(v.shape)}" if isinstance(v, torch.Tensor) else repr(v)

    parts = [show(a) for a in args] + [f"{k}={show(v)}" for k, v in kwargs.items()]
    return f"{fn_name}({', '.join(parts)})"


# ---- 1.1 Convolution from scratch (notebooks/01_cnn_vit/01_convolution.ipynb) ----


def _conv2d_cases(full: bool) -> list[Case]:
    g = torch.Generator().manual_seed(0)

    def randn(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, generator=g)

    # (B, C, H, W, C_out, kh, kw): square, non-square, 1x1 and full-size kernels
    shapes = [
        (1, 1, 5, 5, 1, 3, 3),
        (2, 3, 8, 8, 4, 3, 3),
        (1, 2, 7, 9, 3, 2, 4),
        (3, 1, 6, 5, 2, 1, 1),
        (2, 4, 6, 6, 1, 6, 6),
        (1, 3, 10, 7, 5, 5, 3),
    ]
    cases = [
        ((randn(b, c, h, w), randn(o, c, kh, kw)), {})
        for b, c, h, w, o, kh, kw in shapes
    ]
    if full:  # keyword options, each on its own first, then together
        options = [
            dict(stride=2),
            dict(padding=1),
            dict(dilation=2),
            dict(stride=(2, 1), padding=(0, 2)),
            dict(groups=2),
            dict(bias=True, stride=2, padding=2, dilation=(1, 2), groups=2),
        ]
        for opts in options:
            groups = opts.get("groups", 1)
            if opts.pop("bias", False):
                opts["bias"] = randn(4)
            cases.append(((randn(2, 4, 9, 8), randn(4, 4 // groups, 3, 3)), opts))
    return cases


def conv2d(fn: Callable, *, full: bool = False) -> bool:
    """Check ``fn(x, w)`` against ``F.conv2d``.

    ``full=True`` adds cases with stride, padding, dilation, groups and bias.
    """
    return compare("conv2d", fn, F.conv2d, _conv2d_cases(full))


def _im2col_cases() -> list[Case]:
    g = torch.Generator().manual_seed(1)
    options = [
        dict(),
        dict(stride=2),
        dict(padding=1),
        dict(dilation=2),
        dict(stride=(1, 2), padding=(2, 0)),
    ]
    return [((torch.randn(2, 3, 7, 8, generator=g), (3, 2)), opts) for opts in options]


def im2col(fn: Callable) -> bool:
    """Check an ``im2col`` against ``F.unfold``.

    It is called as ``fn(x, kernel_size, stride=, padding=, dilation=)``.
    """
    return compare("im2col", fn, F.unfold, _im2col_cases())


def _max_pool2d_cases() -> list[Case]:
    g = torch.Generator().manual_seed(2)
    options = [
        ((2,), {}),
        ((3,), {}),
        ((3,), dict(stride=1)),
        ((3,), dict(stride=2, padding=1)),
        (((2, 3),), {}),
    ]
    return [
        ((torch.randn(2, 3, 9, 8, generator=g), *args), opts) for args, opts in options
    ]


def max_pool2d(fn: Callable) -> bool:
    """Check ``fn(x, kernel_size, stride=, padding=)`` against ``F.max_pool2d``."""
    return compare("max_pool2d", fn, F.max_pool2d, _max_pool2d_cases())


# (size, kernel, stride, padding, dilation)
_OUTPUT_SIZE_CASES = [
    (32, 3, 1, 1, 1),
    (32, 3, 2, 1, 1),
    (28, 5, 1, 0, 1),
    (7, 7, 1, 0, 1),
    (224, 7, 2, 3, 1),
    (31, 3, 2, 0, 1),
    (16, 3, 1, 2, 2),
    (10, 4, 3, 1, 2),
]


def conv_output_size(fn: Callable) -> bool:
    """Check ``fn(size, kernel, stride, padding, dilation)`` against the library.

    The reference is ``ops.conv.conv_output_size``.
    """
    return compare(
        "conv_output_size", fn, _conv_output_size, [(c, {}) for c in _OUTPUT_SIZE_CASES]
    )


# stacks of (kernel, stride, dilation), input side first
_RECEPTIVE_FIELD_CASES = [
    [(3, 1, 1)],
    [(3, 1, 1)] * 3,
    [(5, 1, 1), (2, 2, 1), (5, 1, 1), (2, 2, 1)],
    [(7, 2, 1), (3, 2, 1), (3, 1, 1), (3, 1, 1)],
    [(3, 1, 1), (3, 1, 2), (3, 1, 4)],
    [(1, 1, 1), (3, 2, 1)],
]


def receptive_field(fn: Callable) -> bool:
    """Check ``fn(layers)`` against ``ops.conv.receptive_field``."""
    return compare(
        "receptive_field",
        fn,
        _receptive_field,
        [((c,), {}) for c in _RECEPTIVE_FIELD_CASES],
    )


# ---- 1.3 Vision Transformer (notebooks/01_cnn_vit/03_vit.ipynb) ----


def _patchify_cases() -> list[Case]:
    g = torch.Generator().manual_seed(3)
    # (B, C, H, W, P): square and rectangular images, one-pixel and whole-image patches
    shapes = [
        (1, 1, 4, 4, 2),
        (2, 3, 8, 8, 4),
        (1, 3, 6, 9, 3),
        (2, 2, 4, 4, 1),
        (1, 3, 8, 8, 8),
    ]
    return [((torch.randn(b, c, h, w, generator=g), p), {}) for b, c, h, w, p in shapes]


def patchify(fn: Callable) -> bool:
    """Check ``fn(images, patch_size)`` against ``ops.patches.patchify``.

    Patches are row-major, each flattened as (p1 p2 c).
    """
    from scratchvision.ops.patches import patchify as reference

    return compare("patchify", fn, reference, _patchify_cases())


def _vit_tokens(image_size: int, patch_size: int) -> tuple[int, int]:
    from scratchvision.ops.patches import patchify as reference

    tokens = (
        reference(torch.zeros(1, 1, image_size, image_size), patch_size).shape[1] + 1
    )  # + CLS
    return tokens, tokens * tokens


def vit_tokens(fn: Callable) -> bool:
    """Check ``fn(image_size, patch_size) -> (tokens, entries)`` for a ViT.

    ``tokens`` counts the CLS token; ``entries`` is the size of one head's attention
    matrix.
    """
    cases = [(32, 4), (64, 8), (224, 16), (224, 14), (384, 16), (28, 7)]
    return compare("vit_tokens", fn, _vit_tokens, [(c, {}) for c in cases])


# ---- 1.4 Swin Transformer (notebooks/01_cnn_vit/04_swin.ipynb) ----


def _window_partition_cases() -> list[Case]:
    g = torch.Generator().manual_seed(4)
    # (B, H, W, C, M): one window, several, rectangular maps, one-pixel windows
    shapes = [
        (1, 4, 4, 1, 4),
        (1, 4, 4, 2, 2),
        (2, 8, 8, 3, 4),
        (1, 6, 9, 2, 3),
        (2, 4, 6, 1, 1),
    ]
    return [((torch.randn(b, h, w, c, generator=g), m), {}) for b, h, w, c, m in shapes]


def window_partition(fn: Callable) -> bool:
    """Check ``fn(x, window)`` against ``ops.windows.window_partition``.

    (B, H, W, C) -> (B*nW, M*M, C).
    """
    from scratchvision.ops.windows import window_partition as reference

    return compare("window_partition", fn, reference, _window_partition_cases())


def wmsa_flops(fn: Callable) -> bool:
    """Check ``fn(h, w, C, M)`` against ``swin.wmsa_flops`` (Liu et al. 2021, Eq. 2)."""
    from scratchvision.backbones.swin import wmsa_flops as reference

    cases = [
        (8, 8, 32, 4),
        (56, 56, 96, 7),
        (14, 14, 384, 7),
        (16, 8, 48, 4),
        (7, 7, 768, 7),
    ]
    return compare("wmsa_flops", fn, reference, [(c, {}) for c in cases])


# ---- 5.2 Super-resolution (notebooks/05_imaging/02_super_resolution.ipynb) ----


def _pixel_shuffle_cases() -> list[Case]:
    g = torch.Generator().manual_seed(5)
    # (B, C, H, W, r): the output's C, H, W; r = 1 is the identity
    shapes = [
        (1, 1, 2, 2, 2),
        (2, 3, 4, 5, 2),
        (1, 3, 3, 3, 3),
        (2, 1, 2, 3, 4),
        (1, 2, 4, 4, 1),
    ]
    return [
        ((torch.randn(b, c * r * r, h, w, generator=g), r), {})
        for b, c, h, w, r in shapes
    ]


def pixel_shuffle(fn: Callable) -> bool:
    """Check ``fn(x, r)`` against ``F.pixel_shuffle``.

    (B, C r², H, W) -> (B, C, H r, W r).
    """
    return compare("pixel_shuffle", fn, F.pixel_shuffle, _pixel_shuffle_cases())


# ---- 5.4 Loss functions (notebooks/05_imaging/04_losses.ipynb) ----


def _two_scale_features(img: torch.Tensor) -> list[torch.Tensor]:
    """A stand-in feature net: the image and its 2x average pool, both ReLU'd."""
    return [F.relu(img - 0.5), F.relu(F.avg_pool2d(img, 2) - 0.5)]


def perceptual_loss(fn: Callable) -> bool:
    """Check ``fn(pred, target, features=...)`` against ``losses.perceptual_loss``."""
    from scratchvision.imaging.losses import perceptual_loss as reference
    from scratchvision.imaging.metrics import random_features

    g = torch.Generator().manual_seed(6)
    cases = [
        (
            (torch.rand(b, 3, s, s, generator=g), torch.rand(b, 3, s, s, generator=g)),
            {"features": f},
        )
        for b, s in [(1, 8), (2, 16)]
        for f in (_two_scale_features, random_features)
    ]
    return compare("perceptual_loss", fn, reference, cases)


def gan_d_loss(fn: Callable) -> bool:
    """Check ``fn(real_logits, fake_logits)`` against ``losses.gan_d_loss``.

    The cases include extreme logits.
    """
    from scratchvision.imaging.losses import gan_d_loss as reference

    g = torch.Generator().manual_seed(7)
    cases = [
        (
            (
                torch.randn(4, 1, 3, 3, generator=g),
                torch.randn(4, 1, 3, 3, generator=g),
            ),
            {},
        ),
        (
            (torch.zeros(2, 1, 2, 2), torch.zeros(2, 1, 2, 2)),
            {},
        ),  # undecided D: 2 log 2
        (
            (torch.full((2, 1, 2, 2), 100.0), torch.full((2, 1, 2, 2), -100.0)),
            {},
        ),  # a perfect D: ~0
        ((torch.full((2, 1, 2, 2), -100.0), torch.full((2, 1, 2, 2), 100.0)), {}),
    ]  # fooled D: ~200
    return compare("gan_d_loss", fn, reference, cases)


# ---- 5.1 Denoising (notebooks/05_imaging/01_denoising.ipynb) ----


def _noise_sigma(noisy: torch.Tensor) -> float:
    """MAD noise estimate on the finest diagonal Haar band (Donoho & Johnstone 1994).

    Returns sigma on the 0-255 scale.
    """
    x = noisy[
        ..., : noisy.shape[-2] // 2 * 2, : noisy.shape[-1] // 2 * 2
    ]  # even H and W
    diagonal = (
        x[..., 0::2, 0::2]
        - x[..., 0::2, 1::2]
        - x[..., 1::2, 0::2]
        + x[..., 1::2, 1::2]
    ) / 2
    return float(diagonal.abs().median()) / 0.6745 * 255


def noise_sigma(fn: Callable) -> bool:
    """Check ``fn(noisy) -> sigma`` (0-255 scale) against the Haar MAD estimate.

    The test images are smooth.
    """
    g = torch.Generator().manual_seed(51)
    cases = []
    for shape, sigma in [
        ((1, 64, 64), 5),
        ((1, 64, 64), 25),
        ((3, 48, 40), 50),
        ((1, 33, 47), 15),
    ]:
        smooth = F.interpolate(
            torch.rand(1, shape[0], 6, 6, generator=g), size=shape[1:], mode="bilinear"
        )[0]
        cases.append(((smooth + sigma / 255 * torch.randn(shape, generator=g),), {}))
    return compare("noise_sigma", fn, _noise_sigma, cases, atol=1e-2, rtol=1e-3)


# ---- 5.3 Deblurring (notebooks/05_imaging/03_deblurring.ipynb) ----


def _wiener_filter(
    blurred: torch.Tensor, kernel: torch.Tensor, nsr: float
) -> torch.Tensor:
    """Wiener deconvolution of a circular blur (Gonzalez & Woods, Eq. 5.8-6).

    ``X = conj(K) Y / (|K|² + nsr)``.
    """
    height, width = blurred.shape[-2:]
    kh, kw = kernel.shape
    padded = blurred.new_zeros(height, width)
    padded[:kh, :kw] = kernel
    padded = torch.roll(
        padded, shifts=(-(kh // 2), -(kw // 2)), dims=(0, 1)
    )  # kernel centre at pixel (0, 0)
    K, Y = torch.fft.fft2(padded.double()), torch.fft.fft2(blurred.double())
    return torch.fft.ifft2(K.conj() * Y / (K.abs() ** 2 + nsr)).real.to(blurred.dtype)


def wiener_filter(fn: Callable) -> bool:
    """Check ``fn(blurred, kernel, nsr)`` against a Fourier-domain Wiener filter.

    ``blurred`` is (C, H, W), ``kernel`` (kh, kw).
    """
    from scratchvision.imaging.blur import gaussian_kernel, motion_kernel

    g = torch.Generator().manual_seed(53)
    options = [
        ((1, 32, 32), gaussian_kernel(5, 1.0), 1e-3),
        ((3, 40, 48), motion_kernel(7, 30), 1e-2),
        ((1, 33, 29), motion_kernel(9, 0), 1e-1),
    ]  # (shape, kernel, nsr)
    cases = [
        ((torch.rand(shape, generator=g), kernel, nsr), {})
        for shape, kernel, nsr in options
    ]
    return compare("wiener_filter", fn, _wiener_filter, cases, atol=1e-3, rtol=1e-3)


def average_frames(fn: Callable) -> bool:
    """Check ``fn(frames (T, C, H, W), gamma=...)`` against ``blur.average_frames``."""
    from scratchvision.imaging.blur import average_frames as reference

    g = torch.Generator().manual_seed(54)
    options = [(5, 1, None), (7, 3, 2.2), (1, 3, 2.2), (3, 1, 1.0)]  # (T, C, gamma)
    cases = [
        ((torch.rand(t, c, 8, 9, generator=g),), {"gamma": gamma})
        for t, c, gamma in options
    ]
    return compare("average_frames", fn, reference, cases)


# ---- 1.2 A brief history in code (notebooks/01_cnn_vit/02_history.ipynb) ----


def _stacked_conv_params(channels: int, n_layers: int) -> tuple[int, int]:
    """Parameters of ``n_layers`` stacked 3x3 convs and of one conv that sees as far.

    Both are C -> C, with a bias.
    """
    from scratchvision.backbones.vgg import conv3x3_stage
    from scratchvision.flops import count_params

    stack = conv3x3_stage(channels, channels, n_layers, batch_norm=False)
    single = torch.nn.Conv2d(
        channels, channels, kernel_size=2 * n_layers + 1
    )  # receptive field 2n + 1
    return count_params(stack), count_params(single)


def stacked_conv_params(fn: Callable) -> bool:
    """Check ``fn(channels, n_layers) -> (stacked, single)`` against built layers.

    ``stacked``: parameters of ``n_layers`` 3x3 convs, C -> C, each with a bias
    (a VGG stage); ``single``: parameters of one C -> C conv with a bias and the same
    receptive field.
    """
    cases = [
        ((c, n), {}) for c, n in [(1, 1), (3, 2), (16, 2), (64, 2), (64, 3), (8, 5)]
    ]
    return compare("stacked_conv_params", fn, _stacked_conv_params, cases)


def _random_basic_block(channels: int, seed: int) -> torch.nn.Module:
    """A library ``BasicBlock`` (C -> C, stride 1) with random weights, in eval mode.

    Its BatchNorm statistics are random too.
    """
    from scratchvision.backbones.resnet import BasicBlock

    g = torch.Generator().manual_seed(seed)
    block = BasicBlock(in_channels=channels, width=channels)
    with torch.no_grad():
        for name, tensor in [*block.named_parameters(), *block.named_buffers()]:
            if name.endswith("running_var"):
                tensor.copy_(
                    torch.rand(tensor.shape, generator=g) + 0.5
                )  # a variance must be positive
            elif tensor.is_floating_point():
                tensor.copy_(0.5 * torch.randn(tensor.shape, generator=g))
    return block.eval()


def residual_block(fn: Callable) -> bool:
    """Check ``fn(x, conv1, bn1, conv2, bn2)`` against a ``BasicBlock`` of those layers.

    ``fn`` must compute ``relu(bn2(conv2(relu(bn1(conv1(x))))) + x)``
    (He et al. 2016, Fig. 2); the layers are the block's own, with random weights and
    BatchNorm statistics, in eval mode.
    """

    def reference(x: torch.Tensor, weights_seed: int) -> torch.Tensor:
        return _random_basic_block(x.shape[1], weights_seed)(x)

    def with_block_layers(x: torch.Tensor, weights_seed: int) -> torch.Tensor:
        branch = _random_basic_block(x.shape[1], weights_seed).branch
        conv1, conv2 = (m for m in branch if isinstance(m, torch.nn.Conv2d))
        bn1, bn2 = (m for m in branch if isinstance(m, torch.nn.BatchNorm2d))
        return fn(x, conv1, bn1, conv2, bn2)

    with_block_layers.__name__ = getattr(fn, "__name__", "residual_block")
    g = torch.Generator().manual_seed(12)
    shapes = [(1, 4, 6, 6), (2, 8, 5, 7), (3, 16, 8, 8)]  # (B, C, H, W)
    cases = [
        ((torch.randn(shape, generator=g),), {"weights_seed": i})
        for i, shape in enumerate(shapes)
    ]
    with torch.no_grad():
        return compare("residual_block", with_block_layers, reference, cases)

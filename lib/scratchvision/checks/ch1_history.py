"""Checkers of lesson 1.2, a brief history in code.

``notebooks/01_cnn_vit/02_history.ipynb``: the parameters of stacked 3x3 convolutions
(VGG) and the forward pass of a residual block (ResNet), against built layers.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from scratchvision.checks.core import compare
from scratchvision.validate import Checker


def _stacked_conv_params(channels: int, n_layers: int) -> tuple[int, int]:
    """Parameters of ``n_layers`` stacked 3x3 convs and of one conv that sees as far.

    Both are C -> C, with a bias.
    """
    from scratchvision.blocks import conv3x3_stage
    from scratchvision.measure import count_params

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
    from scratchvision.blocks import BasicBlock

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
    Checker("checks.residual_block").callable("fn", fn)  # it is wrapped below

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

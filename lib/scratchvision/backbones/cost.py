"""What global attention costs next to window attention, measured and counted.

Global self-attention on an h x w map costs ``4hwC^2 + 2(hw)^2 C`` multiply-adds,
quadratic in the number of tokens; Swin's M x M window attention costs
``4hwC^2 + 2M^2 hwC``, linear (Liu et al. 2021, Eq. 1-2;
:func:`scratchvision.backbones.swin.msa_flops`, ``wmsa_flops``).
``attention_cost_curve`` runs the *same* ``MultiHeadAttention`` both ways, so the only
difference is which tokens see which. Used by the Swin lesson of
``notebooks/01_cnn_vit/`` and by ``make bench``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from scratchvision.blocks import MultiHeadAttention
from scratchvision.measure import timed
from scratchvision.ops.windows import window_partition
from scratchvision.validate import Checker


def attention_cost_curve(
    sizes: Sequence[int],
    *,
    dim: int = 48,
    window: int = 4,
    heads: int = 3,
    repeats: int = 5,
) -> list[dict[str, float]]:
    """Time and count global vs window self-attention on square token grids.

    Args:
        sizes: grid sides (tokens per row), each divisible by ``window``.
        dim: token width C.
        window: window side M.
        heads: attention heads (the cost does not depend on them).
        repeats: timed forward passes per point; the median is reported.

    Returns:
        one dict per size: ``size``, ``tokens`` (size^2), ``global_ms``, ``window_ms``
        (median forward time of one image, no grad), ``global_flops``, ``window_flops``
        (2 FLOPs per multiply-add, as ``MultiHeadAttention.flops`` counts: twice
        Eq. 1-2), and ``global_probs_mb``, ``window_probs_mb`` (size of the
        attention-probability tensor, the largest intermediate).
    """
    _check_curve_args(sizes, dim, window, heads, repeats)
    attn = MultiHeadAttention(dim, heads=heads).eval()
    rows = []
    for size in sizes:
        grid = torch.randn(1, size, size, dim)  # (1, H, W, C)
        tokens = grid.flatten(1, 2)  # (1, N, C)
        windows = window_partition(grid, window)  # (nW, M*M, C)
        n, n_windows = size * size, windows.shape[0]
        rows.append(
            {
                "size": size,
                "tokens": n,
                # default arguments bind this size's tensors into the lambdas
                "global_ms": _median_ms(lambda tokens=tokens: attn(tokens), repeats),
                "window_ms": _median_ms(
                    lambda grid=grid: attn(window_partition(grid, window)), repeats
                ),
                "global_flops": attn.flops((tokens,), None),
                "window_flops": attn.flops((windows,), None),
                "global_probs_mb": heads * n * n * 4 / 2**20,
                "window_probs_mb": n_windows * heads * window**4 * 4 / 2**20,
            }
        )
    return rows


@torch.no_grad()
def _median_ms(run: Callable[[], torch.Tensor], repeats: int) -> float:
    # one warm-up call: first-call allocations are not the cost we want
    return 1000 * timed(run, repeats=repeats, warmup=1).median


def _check_curve_args(sizes, dim, window, heads, repeats) -> None:
    check = Checker("attention_cost_curve")
    check.that(
        isinstance(sizes, (tuple, list)) and len(sizes) > 0,
        f"sizes must be a non-empty sequence of ints, got {sizes!r}",
    )
    check.ints(min_value=1, dim=dim, window=window, heads=heads, repeats=repeats)
    for i, size in enumerate(sizes):
        check.int(f"sizes[{i}]", size, min_value=1)
        check.that(
            size % window == 0,
            f"every size must be divisible by window={window}, got sizes[{i}]={size}",
        )

"""MAE's random masking: keep a random subset of each image's patch tokens.

"We randomly sample a subset of patches without replacement, following a uniform
distribution" (He et al. 2022, Sec. 3, *Masking*). The trick that makes it cheap and
exactly uniform: draw one random number per token, sort them, keep the tokens with the
smallest numbers. Sorting the sort order back (``argsort`` of ``argsort``) gives
``ids_restore``, the permutation that puts the decoder's tokens back where they came
from; no token is ever lost or duplicated.

Taught in ``notebooks/02_self_supervised/01_mae.ipynb``.
"""

from __future__ import annotations

import torch
from einops import repeat

from scratchvision.validate import Checker


def visible_count(n_tokens: int, mask_ratio: float) -> int:
    """How many of ``n_tokens`` stay visible at ``mask_ratio``: round((1 - r) N)."""
    return round((1 - mask_ratio) * n_tokens)


def random_masking(
    tokens: torch.Tensor,
    mask_ratio: float,
    *,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Keep round((1 - r) N) tokens of each sample, uniformly at random (MAE, Sec. 3).

    Args:
        tokens (Tensor[B, N, D]): patch tokens (no CLS token), position already added.
        mask_ratio: the fraction r of tokens to mask, in [0, 1).
        generator: the source of the per-sample shuffle.

    Returns:
        ``(visible, mask, ids_restore)``:
        visible (Tensor[B, K, D]): the kept tokens, K = round((1 - r) N), in shuffled
        order; mask (Tensor[B, N]): 1 where a token is masked, 0 where visible, in the
        original order; ids_restore (LongTensor[B, N]): ``shuffled.gather(1,
        ids_restore)`` puts a shuffled sequence back in the original order.
    """
    keep = _check_masking_args(tokens, mask_ratio, generator)
    batch, n, dim = tokens.shape
    noise = torch.rand(batch, n, generator=generator, device=tokens.device)  # (B, N)
    ids_shuffle = noise.argsort(dim=1)  # (B, N): smallest noise first, kept
    ids_restore = ids_shuffle.argsort(dim=1)  # (B, N): the inverse permutation
    ids_keep = ids_shuffle[:, :keep]  # (B, K)
    visible = tokens.gather(1, repeat(ids_keep, "b k -> b k d", d=dim))  # (B, K, D)
    mask = torch.ones(batch, n, device=tokens.device)  # (B, N)
    mask[:, :keep] = 0  # in shuffled order: the first K are visible
    return visible, mask.gather(1, ids_restore), ids_restore


def _check_masking_args(tokens, mask_ratio, generator) -> int:
    """Tokens (B, N, D), a ratio in [0, 1) that keeps a token; return K."""
    check = Checker("random_masking")
    check.tensor("tokens", tokens, ndim=3, dims="(B, N, D)", floating=True, finite=True)
    check.range("mask_ratio", mask_ratio, low=0.0, high=1.0)
    n = tokens.shape[1]
    keep = visible_count(n, mask_ratio)
    check.that(
        mask_ratio < 1 and keep >= 1,
        f"mask_ratio must leave at least one of the {n} tokens visible "
        f"(round((1 - r) N) >= 1), got {mask_ratio}",
    )
    check.that(
        generator is None or isinstance(generator, torch.Generator),
        f"generator must be a torch.Generator or None, got {type(generator).__name__}",
    )
    return keep

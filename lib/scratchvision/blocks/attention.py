"""Multi-head attention, the one attention module of the course (Vaswani et al. 2017).

Multi-head attention (Eq. 4-5) runs ``h`` scaled dot-product attentions side by side on
learned projections of width ``d`` and mixes their outputs with one more projection.
The maths of one head is the pure function
:func:`scratchvision.ops.attention.attention`; this module adds the parameters. The
same module is self-attention (keys and values come from ``x``, as in ViT and Swin) and
cross-attention (they come from a ``context``, as in the DETR and SAM decoders).

Every call hands its probabilities to ``self.recorder`` when one is set:
:func:`scratchvision.blocks.record_attention` sets it for every attention in a model.

Taught in ``notebooks/01_cnn_vit/`` (ViT and Swin lessons).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn as nn
from einops import rearrange

from scratchvision.ops.attention import attention
from scratchvision.validate import Checker


class MultiHeadAttention(nn.Module):
    """Multi-head attention (Vaswani et al. 2017, Eq. 4-5), self- or cross-attention.

    ``MultiHead(x, c) = Concat(head_1..head_h) W^O`` with
    ``head_i = Attention(x W^Q_i, c W^K_i, c W^V_i)``; ``c = x`` for self-attention.

    Args:
        dim: width D of the tokens (queries, keys and values all have width D).
        heads: number of heads h.
        head_dim: width d of one head; default ``dim // heads``.
        qkv_bias: whether the q, k, v projections have a bias.
        dropout: dropout on the output projection. The probabilities are never dropped,
            so what ``record_attention`` shows is exactly what mixed the values.
        locality: locality self-attention (Lee et al. 2021, Eq. 5-7): a learned
            temperature in place of sqrt(d), initialised to it, and no token attends
            to itself, which sharpens attention on small data sets.
    """

    def __init__(
        self,
        dim: int,
        *,
        heads: int = 4,
        head_dim: int | None = None,
        qkv_bias: bool = True,
        dropout: float = 0.0,
        locality: bool = False,
    ) -> None:
        super().__init__()
        head_dim = _check_mha_args(dim, heads, head_dim, dropout)
        Checker("MultiHeadAttention").bool("locality", locality)
        self.locality = locality
        if locality:
            self.temperature = nn.Parameter(torch.tensor(float(head_dim) ** 0.5))
        self.dim, self.heads, self.head_dim = dim, heads, head_dim
        inner = heads * head_dim
        self.to_q = nn.Linear(dim, inner, bias=qkv_bias)
        self.to_k = nn.Linear(dim, inner, bias=qkv_bias)
        self.to_v = nn.Linear(dim, inner, bias=qkv_bias)
        self.to_out = nn.Sequential(nn.Linear(inner, dim), nn.Dropout(dropout))
        self.recorder: Callable[[torch.Tensor], None] | None = None  # record_attention

    def forward(
        self,
        x: torch.Tensor,
        context: torch.Tensor | None = None,
        /,
        *,
        values: torch.Tensor | None = None,
        mask: torch.Tensor | None = None,
        bias: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Attend from ``x`` to ``context`` (or to ``x`` itself).

        Args:
            x (Tensor[B, Q, D]): the tokens that ask (queries).
            context (Tensor[B, N, D]): the tokens that answer (keys, and values unless
                ``values`` is given); default ``x``. Positional, so FLOP counting sees
                it.
            values (Tensor[B, N, D]): separate values, for decoders that add a position
                embedding to queries and keys only (DETR, SAM).
            mask, bias: as in :func:`~scratchvision.ops.attention.attention`,
                broadcastable to (B, h, Q, N).

        Returns:
            Tensor[B, Q, D].
        """
        context, values = self._check_inputs(x, context, values, mask)
        split = "b n (h d) -> b h n d"
        q = rearrange(self.to_q(x), split, h=self.heads)  # (B, h, Q, d)
        k = rearrange(self.to_k(context), split, h=self.heads)  # (B, h, N, d)
        v = rearrange(self.to_v(values), split, h=self.heads)  # (B, h, N, d)
        if self.locality:  # logits q k^T / temperature, the diagonal masked out
            q = q * (self.head_dim**0.5 / self.temperature)
            mask = _without_diagonal(mask, q.shape[-2], k.shape[-2], q.device)
        out, probs = attention(
            q, k, v, mask=mask, bias=bias
        )  # (B, h, Q, d), (B, h, Q, N)
        if self.recorder is not None:
            self.recorder(probs)
        out = rearrange(out, "b h n d -> b n (h d)")  # (B, Q, h*d)
        return self.to_out(out)  # (B, Q, D)

    def flops(self, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> int:
        """FLOPs of one call, 2 per multiply-add: q, k, v projections, QK^T, PV, output.

        Softmax, scaling and biases are not counted. For self-attention this is
        ``B * (8 N D^2 + 4 N^2 D)`` when ``h * d = D``: twice the multiply-adds of
        Liu et al. 2021, Eq. 1.
        """
        x = inputs[0]
        context = inputs[1] if len(inputs) > 1 and inputs[1] is not None else x
        (b, q, d), n, inner = x.shape, context.shape[1], self.heads * self.head_dim
        projections = q * d * inner + 2 * n * d * inner + q * inner * d
        products = 2 * q * n * inner  # QK^T and PV
        return 2 * b * (projections + products)

    def _check_inputs(self, x, context, values, mask):
        """x, context, values: 3-D float tokens of width D; return context, values."""
        check = Checker("MultiHeadAttention")
        context = x if context is None else context
        values = context if values is None else values
        for name, t in (("x", x), ("context", context), ("values", values)):
            check.tensor(name, t, ndim=3, dims="(B, N, D)", floating=True)
            check.that(
                t.shape[-1] == self.dim,
                f"{name} must have width D={self.dim}, got shape {tuple(t.shape)}",
            )
        if self.locality:  # the mask is combined before attention() can check it
            scores = (x.shape[0], self.heads, x.shape[1], context.shape[1])
            _check_locality_inputs(check, mask, scores)
        return context, values


def _check_mha_args(dim, heads, head_dim, dropout) -> int:
    """Sizes >= 1, a dropout rate; return the head width d."""
    check = Checker("MultiHeadAttention")
    check.ints(min_value=1, dim=dim, heads=heads)
    check.range("dropout", dropout, low=0.0, high=1.0)
    if head_dim is None:
        check.that(
            dim % heads == 0,
            f"dim must be divisible by heads, got dim={dim}, heads={heads}",
        )
        head_dim = dim // heads
    return check.int("head_dim", head_dim, min_value=1)


def _check_locality_inputs(check: Checker, mask, scores: tuple[int, ...]) -> None:
    """At least 2 keys (none may attend to itself); a bool mask of the scores' shape."""
    check.that(
        scores[-1] >= 2,
        "context (x in self-attention) must hold at least 2 tokens with "
        f"locality=True, as no token attends to itself, got {scores[-1]}",
    )
    if mask is not None:
        check.tensor("mask", mask, dtype=torch.bool)
        try:
            fits = torch.broadcast_shapes(mask.shape, scores) == scores
        except RuntimeError:
            fits = False
        check.that(
            fits,
            f"mask must broadcast to the scores (B, h, Q, N) = {scores}, got shape "
            f"{tuple(mask.shape)}",
        )


def _without_diagonal(mask, n_queries: int, n_keys: int, device) -> torch.Tensor:
    """``mask`` (or all-True) with each query's own key blocked: (.., Q, N) bool."""
    own = torch.eye(n_queries, n_keys, dtype=torch.bool, device=device)  # (Q, N)
    return ~own if mask is None else mask & ~own

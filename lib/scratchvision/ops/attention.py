"""Multi-head attention from scratch, and one way to look inside it.

Scaled dot-product attention (Vaswani et al. 2017, "Attention is all you need", Eq. 1)::

    Attention(Q, K, V) = softmax(Q K^T / sqrt(d) + bias) V

Multi-head attention (Eq. 4-5) runs ``h`` such attentions side by side on learned
projections of width ``d`` and mixes their outputs with one more projection. The same
module is self-attention (keys and values come from ``x``, as in ViT and Swin) and
cross-attention (they come from a ``context``, as in the DETR and SAM decoders).

Masks. ``mask`` is *boolean, True = keep* (the convention of
``torch.nn.functional.scaled_dot_product_attention``): a masked key gets a probability
of exactly 0. ``bias`` is an *additive* float term on the logits (Swin's relative
position bias). Every query must keep at least one key, or its row is ``nan``.

Inspection (used by DINO attention maps, attention rollout, decoder figures)::

    with record_attention(model) as probs:
        model(images)
    probs[i]  # Tensor[B, h, Q, N]: the i-th attention call, in call order

``record_attention`` sets the ``recorder`` callback of every ``MultiHeadAttention``
inside ``model`` to "append to this list" and unsets it on exit, so outside the ``with``
block the modules keep nothing.

Taught in ``notebooks/01_cnn_vit/`` (ViT and Swin lessons).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch
import torch.nn as nn
from einops import rearrange

from scratchvision.validate import check_int, check_range, check_tensor


def attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    *,
    mask: torch.Tensor | None = None,
    bias: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Scaled dot-product attention, returning the output and the probabilities.

    ``softmax(q k^T / sqrt(d) + bias, masked) v`` (Vaswani et al. 2017, Eq. 1).

    Args:
        q (Tensor[B, h, Q, d]): queries.
        k (Tensor[B, h, N, d]): keys.
        v (Tensor[B, h, N, d]): values.
        mask (BoolTensor broadcastable to [B, h, Q, N]): True where query may attend to
            key. A key-padding mask ``keep[B, N]`` is passed as
            ``keep[:, None, None, :]``.
        bias (Tensor broadcastable to [B, h, Q, N]): added to the logits before softmax.

    Returns:
        out (Tensor[B, h, Q, d]) and probs (Tensor[B, h, Q, N]), each row of probs sums
        to 1.
    """
    fn = "attention"
    for name, t in (("q", q), ("k", k), ("v", v)):
        check_tensor(name, t, ndim=4, dims="(B, h, N, d)", floating=True, fn=fn)
    if k.shape != v.shape or q.shape[:2] != k.shape[:2] or q.shape[-1] != k.shape[-1]:
        raise ValueError(
            f"{fn}: q (B, h, Q, d), k and v (B, h, N, d) must agree, got q "
            f"{tuple(q.shape)}, k {tuple(k.shape)}, v {tuple(v.shape)}"
        )
    scores = q @ k.transpose(-2, -1) * q.shape[-1] ** -0.5  # (B, h, Q, N)
    if bias is not None:
        _check_broadcast("bias", bias, scores.shape, fn)
        scores = scores + bias
    if mask is not None:
        check_tensor("mask", mask, dtype=torch.bool, fn=fn)
        _check_broadcast("mask", mask, scores.shape, fn)
        scores = scores.masked_fill(
            ~mask, float("-inf")
        )  # exp(-inf) = 0: exactly blocked
    probs = scores.softmax(dim=-1)  # (B, h, Q, N)
    return probs @ v, probs  # (B, h, Q, d), (B, h, Q, N)


def _check_broadcast(name: str, t: torch.Tensor, shape: torch.Size, fn: str) -> None:
    try:
        if torch.broadcast_shapes(t.shape, shape) == shape:
            return
    except RuntimeError:
        pass
    raise ValueError(
        f"{fn}: {name} must broadcast to the scores (B, h, Q, N) = {tuple(shape)}, "
        f"got shape {tuple(t.shape)}"
    )


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
    """

    def __init__(
        self,
        dim: int,
        *,
        heads: int = 4,
        head_dim: int | None = None,
        qkv_bias: bool = True,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        fn = "MultiHeadAttention"
        check_int("dim", dim, min_value=1, fn=fn)
        check_int("heads", heads, min_value=1, fn=fn)
        check_range("dropout", dropout, low=0.0, high=1.0, fn=fn)
        if head_dim is None:
            if dim % heads:
                raise ValueError(
                    f"{fn}: dim must be divisible by heads, got dim={dim}, "
                    f"heads={heads}"
                )
            head_dim = dim // heads
        check_int("head_dim", head_dim, min_value=1, fn=fn)
        self.dim, self.heads, self.head_dim = dim, heads, head_dim
        inner = heads * head_dim
        self.to_q = nn.Linear(dim, inner, bias=qkv_bias)
        self.to_k = nn.Linear(dim, inner, bias=qkv_bias)
        self.to_v = nn.Linear(dim, inner, bias=qkv_bias)
        self.to_out = nn.Sequential(nn.Linear(inner, dim), nn.Dropout(dropout))
        self.recorder: Callable[[torch.Tensor], None] | None = (
            None  # set by record_attention
        )

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
            mask, bias: as in :func:`attention`, broadcastable to (B, h, Q, N).

        Returns:
            Tensor[B, Q, D].
        """
        fn = "MultiHeadAttention"
        check_tensor("x", x, ndim=3, dims="(B, Q, D)", floating=True, fn=fn)
        context = (
            x
            if context is None
            else check_tensor("context", context, ndim=3, dims="(B, N, D)", fn=fn)
        )
        values = (
            context
            if values is None
            else check_tensor("values", values, ndim=3, dims="(B, N, D)", fn=fn)
        )
        for name, t in (("x", x), ("context", context), ("values", values)):
            if t.shape[-1] != self.dim:
                raise ValueError(
                    f"{fn}: {name} must have width D={self.dim}, got shape "
                    f"{tuple(t.shape)}"
                )
        split = "b n (h d) -> b h n d"
        q = rearrange(self.to_q(x), split, h=self.heads)  # (B, h, Q, d)
        k = rearrange(self.to_k(context), split, h=self.heads)  # (B, h, N, d)
        v = rearrange(self.to_v(values), split, h=self.heads)  # (B, h, N, d)
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


@contextmanager
def record_attention(
    model: nn.Module, *, detach: bool = True
) -> Iterator[list[torch.Tensor]]:
    """Collect the attention probabilities of every ``MultiHeadAttention`` in ``model``.

    Args:
        model: any module that contains (or is) ``MultiHeadAttention`` layers.
        detach: keep the probabilities out of the autograd graph; pass False for
            gradient-weighted maps (Chefer et al. 2021), which need
            ``d loss / d probs``.

    Yields:
        a list that fills, in call order, with one Tensor[B, h, Q, N] per attention call
        (for Swin: Tensor[B * windows, h, M*M, M*M]).
    """
    layers = [m for m in model.modules() if isinstance(m, MultiHeadAttention)]
    if not layers:
        raise ValueError(
            "record_attention: model must contain a MultiHeadAttention, got "
            f"{type(model).__name__}"
        )
    probs: list[torch.Tensor] = []
    previous = [
        layer.recorder for layer in layers
    ]  # restored on exit, so blocks can nest
    for layer in layers:
        layer.recorder = lambda p: probs.append(p.detach() if detach else p)
    try:
        yield probs
    finally:
        for layer, recorder in zip(layers, previous):
            layer.recorder = recorder

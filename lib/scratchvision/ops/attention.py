"""Scaled dot-product attention from scratch, a pure function.

Scaled dot-product attention (Vaswani et al. 2017, "Attention is all you need", Eq. 1)::

    Attention(Q, K, V) = softmax(Q K^T / sqrt(d) + bias) V

Masks. ``mask`` is *boolean, True = keep* (the convention of
``torch.nn.functional.scaled_dot_product_attention``): a masked key gets a probability
of exactly 0. ``bias`` is an *additive* float term on the logits (Swin's relative
position bias). Every query must keep at least one key, or its row is ``nan``.

The function returns the probabilities next to the output, so inspection needs no
hooks. The module with parameters around it, ``MultiHeadAttention``, and the door
``record_attention`` are in ``scratchvision.blocks``.

Taught in ``notebooks/01_cnn_vit/`` (ViT and Swin lessons).
"""

from __future__ import annotations

import torch

from scratchvision.validate import check_tensor


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
    _check_attention_args(q, k, v, mask, bias)
    scores = q @ k.transpose(-2, -1) * q.shape[-1] ** -0.5  # (B, h, Q, N)
    if bias is not None:
        scores = scores + bias
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))  # exp(-inf) = 0: blocked
    probs = scores.softmax(dim=-1)  # (B, h, Q, N)
    return probs @ v, probs  # (B, h, Q, d), (B, h, Q, N)


def _check_attention_args(q, k, v, mask, bias) -> None:
    fn = "attention"
    for name, t in (("q", q), ("k", k), ("v", v)):
        check_tensor(
            name, t, ndim=4, dims="(B, h, N, d)", floating=True, finite=True, fn=fn
        )
    if k.shape != v.shape or q.shape[:2] != k.shape[:2] or q.shape[-1] != k.shape[-1]:
        raise ValueError(
            f"{fn}: q (B, h, Q, d), k and v (B, h, N, d) must agree, got q "
            f"{tuple(q.shape)}, k {tuple(k.shape)}, v {tuple(v.shape)}"
        )
    shape = torch.Size((*q.shape[:-1], k.shape[-2]))  # the scores (B, h, Q, N)
    if bias is not None:
        _check_broadcast("bias", bias, shape, fn)
    if mask is not None:
        check_tensor("mask", mask, dtype=torch.bool, fn=fn)
        _check_broadcast("mask", mask, shape, fn)


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


def __getattr__(name: str):
    # MultiHeadAttention and record_attention moved to scratchvision.blocks (modules
    # are not ops); old imports keep working until their callers move.
    if name in ("MultiHeadAttention", "record_attention"):
        import scratchvision.blocks

        return getattr(scratchvision.blocks, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

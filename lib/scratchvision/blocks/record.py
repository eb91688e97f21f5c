"""One door per kind of inspection: what attention looked at, which map CAM explains.

Two kinds of module carry a ``recorder`` callback that is ``None`` except inside a
``with`` block: every :class:`~scratchvision.blocks.MultiHeadAttention` (it hands over
its probabilities) and every :class:`FeatureTap` (it hands over the feature map that
flows through it). Both doors have the same shape::

    with record_attention(model) as probs:   # one Tensor[B, h, Q, N] per attention
        model(images)
    with record_features(model) as maps:     # one Tensor[B, C, h, w] per tap
        logits = model(images)
    torch.autograd.grad(logits[:, 3].sum(), maps[-1])   # what Grad-CAM needs

Entering sets the recorders to "append to this list", leaving restores what was there,
so ``with`` blocks nest and, outside them, the modules keep nothing. Every backbone of
the course sends its CAM map (``model.features(images)``) through one ``FeatureTap``,
``model.cam_layer``, during its ordinary forward pass; :mod:`scratchvision.explain`
reads it there and never asks which model it explains.

Taught in ``notebooks/01_cnn_vit/`` (ViT and Swin lessons) and chapter 3 (explain).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch
import torch.nn as nn

from scratchvision.blocks.attention import MultiHeadAttention
from scratchvision.validate import Checker


class FeatureTap(nn.Module):
    """Where a model's CAM map passes: an identity that ``record_features`` listens to.

    No parameters, so adding one to a model changes no state-dict key.
    """

    def __init__(self) -> None:
        super().__init__()
        self.recorder: Callable[[torch.Tensor], None] | None = None  # record_features

    def forward(self, fmap: torch.Tensor) -> torch.Tensor:
        """fmap (Tensor[B, C, h, w]) -> the same tensor, recorded if asked."""
        Checker("FeatureTap").tensor("fmap", fmap, ndim=4, dims="(B, C, h, w)")
        if self.recorder is not None:
            self.recorder(fmap)
        return fmap


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
    with _recording("record_attention", model, MultiHeadAttention, detach) as probs:
        yield probs


@contextmanager
def record_features(
    model: nn.Module, *, detach: bool = False
) -> Iterator[list[torch.Tensor]]:
    """Collect the map that passes every ``FeatureTap`` of ``model`` (its CAM map).

    Args:
        model: any module that contains a ``FeatureTap`` (every backbone does:
            ``model.cam_layer``).
        detach: cut the maps from the autograd graph. Default False: the maps stay on
            the graph, so ``torch.autograd.grad(score, maps[-1])`` gives Grad-CAM's
            gradients (Selvaraju et al. 2017, Eq. 1).

    Yields:
        a list that fills, in call order, with one Tensor[B, C, h, w] per tap call.
    """
    with _recording("record_features", model, FeatureTap, detach) as maps:
        yield maps


@contextmanager
def _recording(
    fn: str, model: nn.Module, kind: type[nn.Module], detach: bool
) -> Iterator[list[torch.Tensor]]:
    """Point the ``recorder`` of every ``kind`` module in ``model`` at one list."""
    layers = _check_recording_args(fn, model, kind, detach)
    seen: list[torch.Tensor] = []
    previous = [layer.recorder for layer in layers]  # restored on exit: blocks nest
    for layer in layers:
        layer.recorder = lambda t: seen.append(t.detach() if detach else t)
    try:
        yield seen
    finally:
        for layer, recorder in zip(layers, previous):
            layer.recorder = recorder


def _check_recording_args(fn, model, kind, detach) -> list[nn.Module]:
    """model is a module with at least one ``kind`` inside; return those layers."""
    check = Checker(fn)
    check.that(
        isinstance(model, nn.Module),
        f"model must be a torch.nn.Module, got {type(model).__name__}",
    )
    check.bool("detach", detach)
    layers = [m for m in model.modules() if isinstance(m, kind)]
    check.that(
        bool(layers),
        f"model must contain a {kind.__name__}, got {type(model).__name__} without one",
    )
    return layers

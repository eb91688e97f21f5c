"""Counting parameters and FLOPs of a model with forward hooks.

Convention, used everywhere in the course: one multiply-add counts as **2 FLOPs** (as in
``torch.utils.flop_counter`` and most papers since ~2020; older papers, ResNet's
"3.6 GFLOPs" among them, quoted multiply-adds). Bias adds, nonlinearities, dropout,
reshapes and additions written in ``forward`` code (a residual sum) are not counted.

Per module type, for one call with output ``y`` and input ``x``:

=======================================  ===============================================
``Conv1d/2d/3d``                         ``2 * y.numel() * C_in/groups * prod(kernel)``
``ConvTranspose1d/2d/3d``                ``2 * x.numel() * C_out/groups * prod(kernel)``
``Linear``                               ``2 * y.numel() * in_features``
``*Norm*`` (Batch/Instance/Layer/Group)  ``2 * y.numel()`` (a scale and a shift)
``MaxPool*``, ``AvgPool*``               ``y.numel() * prod(kernel)`` (one op per tap)
``Adaptive{Max,Avg}Pool*``               ``x.numel()``
a module with a ``flops`` method         ``module.flops(inputs, output)``
=======================================  ===============================================

The norm row is exact for BatchNorm at inference (its statistics are constants) and a
lower bound for LayerNorm, which computes its statistics on the fly. A from-scratch
module declares its own cost by defining ``flops(self, inputs: tuple, output) -> int``,
the cost of the *whole* module; its submodules are then not counted separately
(``matmul_flops`` helps).

Parameter counts and the model table are in ``measure.summary``. Taught in
``notebooks/01_cnn_vit/`` (the "params vs FLOPs" table of chapter 1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor, nn

from scratchvision.validate import check_tensor

_CONVS = (nn.Conv1d, nn.Conv2d, nn.Conv3d)
_TRANSPOSED_CONVS = (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)
_NORMS = (
    nn.BatchNorm1d,
    nn.BatchNorm2d,
    nn.BatchNorm3d,
    nn.InstanceNorm1d,
    nn.InstanceNorm2d,
    nn.InstanceNorm3d,
    nn.LayerNorm,
    nn.GroupNorm,
)
_POOL_DIMS = {  # pooling type -> number of spatial dims, to expand an int kernel_size
    nn.MaxPool1d: 1,
    nn.MaxPool2d: 2,
    nn.MaxPool3d: 3,
    nn.AvgPool1d: 1,
    nn.AvgPool2d: 2,
    nn.AvgPool3d: 3,
}
_ADAPTIVE_POOLS = (
    nn.AdaptiveMaxPool1d,
    nn.AdaptiveMaxPool2d,
    nn.AdaptiveMaxPool3d,
    nn.AdaptiveAvgPool1d,
    nn.AdaptiveAvgPool2d,
    nn.AdaptiveAvgPool3d,
)


def matmul_flops(a_shape: Sequence[int], b_shape: Sequence[int]) -> int:
    """FLOPs of ``a @ b`` for shapes ``a: (..., n, k)`` and ``b: (..., k, m)``.

    Batch dimensions broadcast as in ``torch.matmul``; each of the ``n * m`` outputs of
    each batch element takes ``k`` multiply-adds, i.e. ``2 * batch * n * k * m`` FLOPs.
    """
    a, b = _check_matmul(a_shape, b_shape)
    batch = torch.broadcast_shapes(a[:-2], b[:-2])  # batch dims broadcast, or raise
    return 2 * math.prod(batch) * a[-2] * a[-1] * b[-1]


def module_flops(module: nn.Module, inputs: tuple, output: Tensor) -> int | None:
    """FLOPs of one call of ``module``, by the table above; ``None`` if uncounted."""
    _check_module_call(module, inputs)
    if callable(getattr(module, "flops", None)):
        return int(module.flops(inputs, output))
    x = inputs[0] if inputs else None
    if isinstance(module, _TRANSPOSED_CONVS):
        return (
            2 * x.numel() * module.weight[0].numel()
        )  # weight: (C_in, C_out/groups, *kernel)
    if isinstance(module, _CONVS):
        return (
            2 * output.numel() * module.weight[0].numel()
        )  # weight: (C_out, C_in/groups, *kernel)
    if isinstance(module, nn.Linear):
        return 2 * output.numel() * module.in_features
    if isinstance(module, _NORMS):
        return 2 * output.numel()
    if type(module) in _POOL_DIMS:
        k = module.kernel_size
        taps = math.prod(k) if isinstance(k, tuple) else k ** _POOL_DIMS[type(module)]
        return output.numel() * taps
    if isinstance(module, _ADAPTIVE_POOLS):
        return x.numel()
    return None


def flops_by_module(model: nn.Module, inputs: Tensor | Sequence[int]) -> dict[str, int]:
    """FLOPs of one forward pass, per counted module, keyed by qualified module name.

    Args:
        model: any ``nn.Module``; it runs in eval mode under ``no_grad``, then gets its
            train/eval mode back.
        inputs: an input Tensor, or the shape of one (e.g. ``(1, 3, 64, 64)``, batch
            included), filled with zeros on the model's device and dtype.

    Returns:
        ``{name: FLOPs}`` for every module that ran and has a rule (a module called
        twice counts twice). Children of a module with its own ``flops`` method are left
        out.
    """
    _check_counter("flops_by_module", model, inputs)
    x = _as_input(model, inputs)
    counts: dict[str, int] = {}
    handles, self_counting = [], []
    for name, module in model.named_modules():  # parents come before their children
        if any(name.startswith(f"{c}.") or c == "" for c in self_counting):
            continue  # inside a module that counts itself
        if callable(getattr(module, "flops", None)):
            self_counting.append(name)

        def hook(m, args, out, name=name):
            n = module_flops(m, args, out)
            if n is not None:
                counts[name] = counts.get(name, 0) + n

        handles.append(module.register_forward_hook(hook))
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(x)
    finally:
        model.train(was_training)
        for h in handles:
            h.remove()
    return counts


def count_flops(model: nn.Module, inputs: Tensor | Sequence[int]) -> int:
    """Total FLOPs (2 per multiply-add) of one forward pass on ``inputs``.

    ``inputs`` is a Tensor or a shape.
    """
    _check_counter("count_flops", model, inputs)
    return sum(flops_by_module(model, inputs).values())


def _check_counter(fn: str, model, inputs) -> None:
    check_module("model", model, fn)
    if isinstance(inputs, Tensor):
        check_tensor("inputs", inputs, nonempty=True, fn=fn)
    else:
        check_shape("inputs", inputs, fn, hint="a Tensor or a shape (positive ints)")


def _as_input(model: nn.Module, inputs: Tensor | Sequence[int]) -> Tensor:
    if isinstance(inputs, Tensor):
        return inputs
    shape = tuple(inputs)
    p = next(model.parameters(), None)
    device, dtype = (p.device, p.dtype) if p is not None else (None, None)
    return torch.zeros(shape, device=device, dtype=dtype)


def _check_matmul(a_shape, b_shape) -> tuple[tuple[int, ...], tuple[int, ...]]:
    fn = "matmul_flops"
    a, b = (
        check_shape(n, s, fn) for n, s in (("a_shape", a_shape), ("b_shape", b_shape))
    )
    if len(a) < 2 or len(b) < 2:
        raise ValueError(
            f"{fn}: a_shape and b_shape must have >= 2 dims, got {a} and {b}"
        )
    if a[-1] != b[-2]:
        raise ValueError(f"{fn}: a_shape[-1] must equal b_shape[-2], got {a} and {b}")
    return a, b


def _check_module_call(module, inputs) -> None:
    check_module("module", module, "module_flops")
    if not isinstance(inputs, tuple):
        raise ValueError(
            "module_flops: inputs must be the tuple of positional arguments a forward "
            f"hook receives, got {type(inputs).__name__}"
        )


def check_module(name: str, value, fn: str) -> nn.Module:
    """Raise a ``ValueError`` unless ``value`` is an ``nn.Module``."""
    if not isinstance(value, nn.Module):
        raise ValueError(
            f"{fn}: {name} must be an nn.Module, got {type(value).__name__}"
        )
    return value


def check_shape(name: str, value, fn: str, *, hint: str = "") -> tuple[int, ...]:
    """Raise a ``ValueError`` unless ``value`` is a shape: a tuple of positive ints."""
    if not (
        isinstance(value, (tuple, list, torch.Size))
        and all(isinstance(d, int) and not isinstance(d, bool) for d in value)
        and all(d > 0 for d in value)
    ):
        want = hint or "a shape (tuple of positive ints)"
        raise ValueError(f"{fn}: {name} must be {want}, got {value!r}")
    return tuple(value)

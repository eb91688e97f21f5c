"""What a model costs, in one table: parameters and FLOPs per model.

``count_params`` is the memory side (every weight is stored and updated),
``count_flops`` (``measure.flops``) the compute side of one forward pass. Chapter 1 puts
them next to each other because they disagree: a convolution reuses its few weights at
every pixel, a dense layer uses each of its many weights once.

Taught in ``notebooks/01_cnn_vit/`` (the "params vs FLOPs" table of chapter 1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from torch import nn

from scratchvision.measure.flops import check_module, check_shape, count_flops

ROW_KEYS = ("name", "params", "flops")


def count_params(model: nn.Module, trainable_only: bool = True) -> int:
    """Number of parameters (shared ones once); by default only trainable ones."""
    check_module("model", model, "count_params")
    return sum(
        p.numel() for p in model.parameters() if p.requires_grad or not trainable_only
    )


def summary_table(
    models: Mapping[str, nn.Module], input_shape: Sequence[int]
) -> list[dict]:
    """One row ``{"name", "params", "flops"}`` per model for an ``input_shape`` input.

    ``params`` counts trainable parameters; ``flops`` is one forward pass on the whole
    ``input_shape`` (batch included). Render the rows with ``format_table``.
    """
    _check_models(models, input_shape)
    return [
        {"name": name, "params": count_params(m), "flops": count_flops(m, input_shape)}
        for name, m in models.items()
    ]


def format_table(rows: Sequence[Mapping]) -> str:
    """``summary_table`` rows as aligned text: params in millions, FLOPs in MFLOPs."""
    _check_rows(rows)
    width = max([len("model")] + [len(r["name"]) for r in rows])
    lines = [f"{'model':<{width}}  {'params (M)':>10}  {'MFLOPs':>10}"]
    lines += [
        f"{r['name']:<{width}}  {r['params'] / 1e6:>10.3f}  {r['flops'] / 1e6:>10.1f}"
        for r in rows
    ]
    return "\n".join(lines)


def _check_models(models, input_shape) -> None:
    fn = "summary_table"
    if not isinstance(models, Mapping) or not models:
        raise ValueError(
            f"{fn}: models must be a non-empty dict of name -> nn.Module, "
            f"got {models!r}"
        )
    for name, model in models.items():
        check_module(f"models[{name!r}]", model, fn)
    check_shape("input_shape", input_shape, fn)


def _check_rows(rows) -> None:
    if not isinstance(rows, (list, tuple)) or not all(
        isinstance(r, Mapping) and all(k in r for k in ROW_KEYS) for r in rows
    ):
        raise ValueError(
            f"format_table: rows must be a list of summary_table rows with keys "
            f"{ROW_KEYS}, got {rows!r}"
        )

"""Measuring models and code: FLOPs, parameters, and the one timer of the course.

``flops`` counts the arithmetic of a forward pass with hooks (2 FLOPs per
multiply-add), ``summary`` puts parameters and FLOPs in one table, ``timing`` times any
call the same way for benchmarks, training logs and notebooks, ``intervals`` gives
every reported score its 95 % interval.
"""

from scratchvision.measure.flops import (
    count_flops,
    flops_by_module,
    matmul_flops,
    module_flops,
)
from scratchvision.measure.intervals import (
    accuracy_interval,
    mean_interval,
    paired_interval,
)
from scratchvision.measure.summary import count_params, format_table, summary_table
from scratchvision.measure.timing import timed

__all__ = [
    "accuracy_interval",
    "count_flops",
    "count_params",
    "flops_by_module",
    "format_table",
    "matmul_flops",
    "mean_interval",
    "module_flops",
    "paired_interval",
    "summary_table",
    "timed",
]

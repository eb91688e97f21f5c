"""Measuring models and code: FLOPs, parameters, and the one timer of the course.

``flops`` counts the arithmetic of a forward pass with hooks (2 FLOPs per
multiply-add), ``summary`` puts parameters and FLOPs in one table, ``timing`` times any
call the same way for benchmarks, training logs and notebooks.
"""

from scratchvision.measure.flops import (
    count_flops,
    flops_by_module,
    matmul_flops,
    module_flops,
)
from scratchvision.measure.summary import count_params, format_table, summary_table
from scratchvision.measure.timing import timed

__all__ = [
    "count_flops",
    "count_params",
    "flops_by_module",
    "format_table",
    "matmul_flops",
    "module_flops",
    "summary_table",
    "timed",
]

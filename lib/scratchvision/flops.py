"""The old home of the FLOP counter, kept for the notebooks and tests that import it.

It lives in ``scratchvision.measure`` (``measure/flops.py``, ``measure/summary.py``).
"""

from scratchvision.measure.flops import (  # noqa: F401
    count_flops,
    flops_by_module,
    matmul_flops,
    module_flops,
)
from scratchvision.measure.summary import (  # noqa: F401
    count_params,
    format_table,
    summary_table,
)

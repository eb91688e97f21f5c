"""Show the library's real source inside a notebook, highlighted.

Readers should read the code that runs, not a copy pasted into a cell that drifts from
it. ``show_source(conv2d)`` renders the function as it is in ``lib/scratchvision``.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any


def source_of(obj: Any) -> str:
    """Return the source text of a library function, class or module."""
    try:
        return inspect.getsource(obj)
    except (TypeError, OSError) as error:
        raise ValueError(
            "show_source: obj must be a Python function, class or module with source, "
            f"got {obj!r}"
        ) from error


def show_source(obj: Any, *, lines: tuple[int, int] | None = None):
    """Render the highlighted source of ``obj`` in a notebook (and on the website).

    Args:
        obj: a function, class, method or module of the library.
        lines: optionally ``(first, last)``, 1-based and inclusive, to show a slice.

    Returns:
        ``IPython.display.Code``, which Jupyter and Jupyter Book both render with
        highlighting.
    """
    from IPython.display import Code

    text = source_of(obj)
    if lines is not None:
        first, last = lines
        all_lines = text.splitlines()
        if not (1 <= first <= last <= len(all_lines)):
            raise ValueError(
                f"show_source: lines must lie in [1, {len(all_lines)}], got {lines!r}"
            )
        text = "\n".join(all_lines[first - 1 : last])
    return Code(text, language="python")


def where(obj: Any) -> str:
    """``obj``'s file relative to the package, e.g. ``ops/conv.py``, for prose links."""
    path = Path(inspect.getsourcefile(obj) or "")
    package_root = Path(__file__).parent
    try:
        return str(path.relative_to(package_root))
    except ValueError:
        return str(path)

"""Argument checks that turn bad input into a clear ``ValueError``.

Every public function of the library validates what a reader passes in, so a mistake
is reported as *which argument*, *what was expected* and *what came in*, e.g.::

    ValueError: conv2d: input must be a 4-D tensor (B, C, H, W), got shape (3, 32, 32)

These helpers keep those messages uniform. They are for user input only; internal
invariants stay as plain code.

A public function names itself once, in a :class:`Checker`, and its guard reads as a
list of expectations::

    check = Checker("window_partition")
    check.tensor("x", x, ndim=4, dims="(B, H, W, C)")
    check.int("window", window, min_value=1)
    check.that(x.shape[1] % window == 0, f"x height must be divisible by {window}")

The ``check_*`` functions underneath take the name as ``fn=``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import torch


def _where(fn: str | None) -> str:
    return f"{fn}: " if fn else ""


def check_tensor(
    name: str,
    value: Any,
    *,
    ndim: int | Sequence[int] | None = None,
    dims: str | None = None,
    floating: bool = False,
    dtype: torch.dtype | None = None,
    channels: int | None = None,
    finite: bool = False,
    nonempty: bool = False,
    fn: str | None = None,
) -> torch.Tensor:
    """Check that ``value`` is a tensor of the right rank and dtype; return it.

    Args:
        name: the argument's name, as the caller spells it.
        value: what came in.
        ndim: allowed number of dimensions (one int or several).
        dims: the shape letters for the message, e.g. ``"(B, C, H, W)"``.
        floating: require a floating-point dtype.
        dtype: require exactly this dtype.
        channels: require this many channels in dimension -3 (images
            ``(..., C, H, W)``).
        finite: reject NaN and infinite entries (NaN passes every comparison, so a
            range check alone lets it through).
        nonempty: reject a tensor with no elements (an empty batch makes a mean NaN).
        fn: the public function's name, to prefix the message.
    """
    where = _where(fn)
    if not isinstance(value, torch.Tensor):
        raise ValueError(
            f"{where}{name} must be a torch.Tensor, got {type(value).__name__}"
        )
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if value.ndim not in allowed:
            want = " or ".join(f"{n}-D" for n in allowed)
            shape_hint = f" {dims}" if dims else ""
            raise ValueError(
                f"{where}{name} must be a {want} tensor{shape_hint}, got shape "
                f"{tuple(value.shape)}"
            )
    if floating and not value.is_floating_point():
        raise ValueError(
            f"{where}{name} must have a floating-point dtype, got {value.dtype}"
        )
    if dtype is not None and value.dtype != dtype:
        raise ValueError(f"{where}{name} must have dtype {dtype}, got {value.dtype}")
    if channels is not None and (value.ndim < 3 or value.shape[-3] != channels):
        raise ValueError(
            f"{where}{name} must have {channels} channels (C in (..., C, H, W)), got "
            f"shape {tuple(value.shape)}"
        )
    if nonempty and value.numel() == 0:
        raise ValueError(
            f"{where}{name} must not be empty, got shape {tuple(value.shape)}"
        )
    if finite and value.is_floating_point() and not torch.isfinite(value).all():
        raise ValueError(f"{where}{name} must be finite, got NaN or inf entries")
    return value


def check_int(
    name: str, value: Any, *, min_value: int | None = None, fn: str | None = None
) -> int:
    """Check that ``value`` is an int (not a bool) >= ``min_value``; return it."""
    where = _where(fn)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(
            f"{where}{name} must be an int, got {value!r} ({type(value).__name__})"
        )
    if min_value is not None and value < min_value:
        raise ValueError(f"{where}{name} must be >= {min_value}, got {value}")
    return value


def check_pair(
    name: str, value: Any, *, min_value: int = 0, fn: str | None = None
) -> tuple[int, int]:
    """Accept an int or an int pair (as ``torch.nn.functional`` does); return a pair."""
    where = _where(fn)
    if isinstance(value, int) and not isinstance(value, bool):
        pair = (value, value)
    elif (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        pair = (int(value[0]), int(value[1]))
    else:
        raise ValueError(
            f"{where}{name} must be an int or a pair of ints, got {value!r}"
        )
    if min(pair) < min_value:
        raise ValueError(f"{where}{name} must be >= {min_value}, got {value!r}")
    return pair


def check_range(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    fn: str | None = None,
) -> float:
    """Check that a finite number lies in ``[low, high]``; return it as a float.

    NaN and infinities are refused: NaN compares False with every bound, so without
    this check ``sigma=nan`` would pass as if it were in range.
    """
    where = _where(fn)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{where}{name} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{where}{name} must be a finite number, got {value}")
    if (low is not None and value < low) or (high is not None and value > high):
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        raise ValueError(f"{where}{name} must be in [{lo}, {hi}], got {value}")
    return float(value)


def check_choice(
    name: str, value: Any, choices: Iterable[Any], *, fn: str | None = None
) -> Any:
    """Check that ``value`` is one of ``choices``; return it."""
    options = list(choices)
    if value not in options:
        raise ValueError(f"{_where(fn)}{name} must be one of {options}, got {value!r}")
    return value


def check_bool(name: str, value: Any, *, fn: str | None = None) -> bool:
    """Check that ``value`` is ``True`` or ``False`` (not ``1``, not ``"yes"``)."""
    if not isinstance(value, bool):
        raise ValueError(f"{_where(fn)}{name} must be True or False, got {value!r}")
    return value


def check_callable(
    name: str, value: Any, *, optional: bool = False, fn: str | None = None
) -> Any:
    """Check that ``value`` can be called (or is ``None``, when ``optional``)."""
    if not (callable(value) or (optional and value is None)):
        allowed = "a function or None" if optional else "a function"
        raise ValueError(
            f"{_where(fn)}{name} must be {allowed}, got {type(value).__name__}"
        )
    return value


@dataclass(frozen=True)
class Checker:
    """The argument checks of one public function, its name written once.

    Each method is the ``check_*`` function of the same name with ``fn`` filled in,
    so a message always starts with the function the reader called. The name is
    passed explicitly: nothing inspects the call stack.

    Args:
        fn: the public name, as the reader calls it (``"conv2d"``,
            ``"ShapeWorld.scene"``).
    """

    fn: str

    def tensor(self, name: str, value: Any, **options: Any) -> torch.Tensor:
        """:func:`check_tensor` (options: ``ndim``, ``dims``, ``floating``, ...)."""
        return check_tensor(name, value, fn=self.fn, **options)

    def int(self, name: str, value: Any, *, min_value: int | None = None) -> int:
        """See :func:`check_int`."""
        return check_int(name, value, min_value=min_value, fn=self.fn)

    def ints(self, *, min_value: int | None = None, **values: Any) -> None:
        """:func:`check_int` for each keyword: ``check.ints(min_value=1, height=h)``."""
        for name, value in values.items():
            check_int(name, value, min_value=min_value, fn=self.fn)

    def pair(self, name: str, value: Any, *, min_value: int = 0) -> tuple[int, int]:
        """See :func:`check_pair`."""
        return check_pair(name, value, min_value=min_value, fn=self.fn)

    def range(
        self,
        name: str,
        value: Any,
        *,
        low: float | None = None,
        high: float | None = None,
    ) -> float:
        """See :func:`check_range` (NaN and infinities are refused)."""
        return check_range(name, value, low=low, high=high, fn=self.fn)

    def choice(self, name: str, value: Any, choices: Iterable[Any]) -> Any:
        """See :func:`check_choice`."""
        return check_choice(name, value, choices, fn=self.fn)

    def bool(self, name: str, value: Any) -> bool:
        """See :func:`check_bool`."""
        return check_bool(name, value, fn=self.fn)

    def callable(self, name: str, value: Any, *, optional: bool = False) -> Any:
        """See :func:`check_callable`."""
        return check_callable(name, value, optional=optional, fn=self.fn)

    def that(self, condition: bool, message: str) -> None:
        """Raise ``ValueError("fn: message")`` unless ``condition`` holds.

        The message should name the argument, what was expected and what came in.
        """
        if not condition:
            raise ValueError(f"{self.fn}: {message}")

"""The machinery of every checker: call the reader's function and a reference on fixed
cases, and report the first difference in words.

A checker is one line, ``compare(name, fn, reference, cases)``, with the cases built by
a small function of a seeded ``torch.Generator`` (no global RNG is touched).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch

from scratchvision.validate import Checker

Case = tuple[tuple, dict]  # positional arguments, keyword arguments


def compare(
    name: str,
    fn: Callable,
    reference: Callable,
    cases: Sequence[Case],
    *,
    atol: float = 1e-4,
    rtol: float = 1e-4,
) -> bool:
    """Call ``fn`` and ``reference`` on every case; report the first mismatch.

    Args:
        name: what the reader implemented, for the message.
        fn: the reader's function. It gets clones of tensor arguments, so it may modify
            them.
        reference: the trusted implementation.
        cases: ``(args, kwargs)`` pairs.
        atol, rtol: tolerances for tensors and floats (as in ``torch.allclose``).

    Returns:
        True if every case matches, else False (after printing what went wrong).
    """
    _check_compare_args(name, fn, reference, cases)
    for i, (args, kwargs) in enumerate(cases, start=1):
        expected = reference(*args, **kwargs)
        call = _describe_call(getattr(fn, "__name__", name), args, kwargs)
        try:
            got = fn(*_clone(args), **_clone(kwargs))
        except Exception as error:  # the reader's bug, reported rather than raised
            print(
                f"✗ {name}: case {i} of {len(cases)} raised {type(error).__name__}: "
                f"{error}\n  call: {call}"
            )
            return False
        if got is None and expected is not None:
            print(
                f"✗ {name}: case {i} of {len(cases)} returned None: it is still the "
                f"stub.\n  call: {call}\n  Write its body above and run this cell again"
            )
            return False
        problem = _difference(expected, got, atol, rtol)
        if problem:
            print(
                f"✗ {name}: case {i} of {len(cases)} does not match\n  call: {call}\n  "
                f"{problem}"
            )
            return False
    print(f"✓ {name}: all {len(cases)} cases match")
    return True


def _difference(expected: Any, got: Any, atol: float, rtol: float) -> str | None:
    """Describe how ``got`` differs from ``expected``; None if they match."""
    if isinstance(expected, torch.Tensor):
        if not isinstance(got, torch.Tensor):
            return (
                f"expected a Tensor of shape {tuple(expected.shape)}, "
                f"got {type(got).__name__}"
            )
        if got.shape != expected.shape:
            return (
                f"expected shape {tuple(expected.shape)}, got shape {tuple(got.shape)}"
            )
        e, g = expected.detach().double(), got.detach().double()
        if torch.allclose(g, e, atol=atol, rtol=rtol):
            return None
        if g.isnan().any():
            return "got NaN values"
        error = (g - e).abs()
        where = tuple(int(k) for k in torch.unravel_index(error.argmax(), error.shape))
        return (
            f"shapes match {tuple(expected.shape)} but values differ: max abs "
            f"difference {error.max().item():.3g} at index {where} (expected "
            f"{e[where].item():.4g}, got {g[where].item():.4g})"
        )
    if isinstance(expected, float):
        ok = isinstance(got, (int, float)) and math.isclose(
            got, expected, rel_tol=rtol, abs_tol=atol
        )
        return None if ok else f"expected {expected:.4g}, got {got!r}"
    try:
        same = bool(got == expected)
    except Exception:  # e.g. a multi-element tensor where a number was expected
        same = False
    return None if same else f"expected {expected!r}, got {got!r}"


def _clone(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.clone()
    if isinstance(value, (tuple, list)):
        return type(value)(_clone(v) for v in value)
    if isinstance(value, dict):
        return {k: _clone(v) for k, v in value.items()}
    return value


def _describe_call(fn_name: str, args: tuple, kwargs: dict) -> str:
    def show(v: Any) -> str:
        return f"Tensor{list(v.shape)}" if isinstance(v, torch.Tensor) else repr(v)

    parts = [show(a) for a in args] + [f"{k}={show(v)}" for k, v in kwargs.items()]
    return f"{fn_name}({', '.join(parts)})"


def _check_compare_args(name, fn, reference, cases) -> None:
    Checker("checks.compare").that(
        isinstance(name, str) and name != "", f"name must be a str, got {name!r}"
    )
    check = Checker(f"checks.{name}")
    check.callable("fn", fn)
    check.callable("reference", reference)
    check.that(
        isinstance(cases, (list, tuple)) and len(cases) > 0,
        f"cases must be a non-empty list of (args, kwargs) pairs, got {cases!r:.80}",
    )

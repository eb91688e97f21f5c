"""The bad-input contract, as data: for every public name, one good call and the bad
arguments that must be refused with a ``ValueError``/``TypeError`` naming the argument.

Each room of the library lists its cases in a ``tests/contract_<room>.py`` module as
``CASES = [Case(...), ...]``; ``tests/test_bad_input.py`` collects them, checks that
every name in every subpackage's ``__all__`` has a case, and runs every bad call.

A case names the public object (``"ops.conv2d"``, ``"blocks.MLP"``; a method or a
module's forward as ``"blocks.MLP.forward"``), a callable, a function returning good
keyword arguments, and for each argument the bad values to try. A bad value is either a
literal (``0``, ``-1``, ``float("nan")``, ``"three"``) or one of the mutations below,
applied to that argument's good value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch


@dataclass(frozen=True)
class Mutation:
    """A bad value made from the good one, e.g. the good tensor with a NaN in it."""

    name: str
    make: Callable[[Any], Any]

    def __repr__(self) -> str:
        return self.name


def _with_nan(t: torch.Tensor) -> torch.Tensor:
    t = t.clone().float() if not t.is_floating_point() else t.clone()
    t.view(-1)[0] = float("nan")
    return t


def _with_inf(t: torch.Tensor) -> torch.Tensor:
    t = t.clone().float() if not t.is_floating_point() else t.clone()
    t.view(-1)[0] = float("inf")
    return t


NOT_TENSOR = Mutation("not a tensor", lambda t: t.tolist())
EXTRA_DIM = Mutation("one dim too many", lambda t: t.unsqueeze(0))
MISSING_DIM = Mutation("one dim too few", lambda t: t[0])
NAN = Mutation("NaN entry", _with_nan)
INF = Mutation("inf entry", _with_inf)
EMPTY = Mutation("empty batch", lambda t: t[:0])
WRONG_CHANNELS = Mutation("wrong channels", lambda t: torch.cat([t, t], dim=-3))
INTEGER_DTYPE = Mutation("integer dtype", lambda t: t.round().long())

TENSOR = (NOT_TENSOR, EXTRA_DIM, MISSING_DIM)  # what every tensor argument must refuse
IMAGE = (*TENSOR, NAN)  # images and other float data: also finite
SIZE = (0, -1, 2.5, "3")  # a positive int: sizes, counts, channels
NONNEGATIVE = (-1, 2.5)  # an int that may be 0: padding, offsets
PROBABILITY = (-0.1, 1.5, float("nan"))  # dropout rates and other [0, 1] numbers
POSITIVE = (0.0, -1.0, float("nan"), float("inf"))  # a positive finite float


def _label(value: Any) -> str:
    """A stable test id: a tensor by its shape and dtype, never by its random values."""
    if isinstance(value, torch.Tensor):
        return f"tensor{list(value.shape)}-{str(value.dtype).removeprefix('torch.')}"
    return repr(value)


@dataclass
class Case:
    """One public name: a good call and the bad arguments it must refuse.

    Args:
        name: the public name, ``"room.Name"`` or ``"room.Name.method"``.
        call: called as ``call(**kwargs)``; for a module's forward, a lambda that
            builds the module and calls it, e.g. ``lambda x: MLP(8, hidden=16)(x)``.
        good: returns fresh good keyword arguments (called once per bad call).
        bad: for each argument, the bad values or mutations to try.
        names: the word the message must contain for each argument, when it is not
            the argument's own name (rare: e.g. a pair spelled ``kernel_size``).
    """

    name: str
    call: Callable[..., Any]
    good: Callable[[], dict[str, Any]]
    bad: dict[str, tuple] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def calls(self) -> list[tuple[str, str, Any]]:
        """Every bad call: (argument, description of the bad value, the value)."""
        out = []
        for argument, values in self.bad.items():
            for value in values:
                out.append((argument, _label(value), value))
        return out

    def kwargs_with(self, argument: str, value: Any) -> dict[str, Any]:
        kwargs = self.good()
        if isinstance(value, Mutation):
            value = value.make(kwargs[argument])
        kwargs[argument] = value
        return kwargs

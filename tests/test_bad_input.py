"""Bad input gets a clear error, for every public name of every subpackage.

The cases live in ``tests/contract_<room>.py`` (see ``tests/contract.py``). Here: every
callable in a subpackage's ``__all__`` has a case; every good call works (so a bad call
cannot pass by failing for another reason); every bad call raises ``ValueError`` or
``TypeError`` and the message names the argument.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
import scratchvision

HERE = Path(__file__).parent
ROOMS = sorted(
    m.name
    for m in pkgutil.iter_modules(scratchvision.__path__)
    if m.ispkg and m.name not in {"checkpoints", "kernels"}
)


def _cases():
    cases = []
    for path in sorted(HERE.glob("contract_*.py")):
        module = importlib.import_module(path.stem)
        cases += module.CASES
    return cases


CASES = _cases()
BY_NAME = {case.name: case for case in CASES}


def public_callables() -> list[str]:
    names = []
    for room in ROOMS:
        module = importlib.import_module(f"scratchvision.{room}")
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if callable(obj) and not (
                inspect.isclass(obj) and issubclass(obj, BaseException)
            ):
                names.append(f"{room}.{name}")
    return names


def test_every_room_declares_its_public_names():
    missing = [r for r in ROOMS if not hasattr(importlib.import_module(
        f"scratchvision.{r}"), "__all__")]  # fmt: skip
    assert not missing, f"subpackages without __all__: {missing}"


def test_every_public_name_has_a_case():
    covered = {name.rsplit(".", 1)[0] for name in BY_NAME} | set(BY_NAME)
    missing = [name for name in public_callables() if name not in covered]
    assert not missing, (
        f"{len(missing)} public names have no bad-input case in tests/contract_*.py: "
        f"{missing}"
    )


def test_every_case_names_a_public_object():
    public = set(public_callables())
    stray = [c.name for c in CASES if ".".join(c.name.split(".")[:2]) not in public]
    assert not stray, f"cases for names no __all__ lists: {stray}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_good_call_works(case):
    case.call(**case.good())


BAD_CALLS = [
    pytest.param(case, argument, value, id=f"{case.name}-{argument}-{label}")
    for case in CASES
    for argument, label, value in case.calls()
]


@pytest.mark.parametrize("case,argument,value", BAD_CALLS)
def test_bad_input_is_refused_by_name(case, argument, value):
    kwargs = case.kwargs_with(argument, value)
    word = case.names.get(argument, argument)
    with pytest.raises((ValueError, TypeError)) as error:
        case.call(**kwargs)
    message = str(error.value)
    assert re.search(rf"\b{re.escape(word)}\b", message), (
        f"{case.name}({argument}={value!r}) raised {type(error.value).__name__} "
        f"without naming {word!r}: {message}"
    )

"""Exercises work when a reader downloads a lesson and presses "Run all": every
checker runs on the reader's own stub (and fails kindly) before the solution cell can
replace it."""

import io
import json
import re
from contextlib import redirect_stdout

import pytest
from scratchvision import checks
from test_book import NOTEBOOKS


def _tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def _exercises(path):
    """(stub name, index of the stub, cells) for every stub in a notebook."""
    cells = json.loads(path.read_text())["cells"]
    for i, cell in enumerate(cells):
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and "# your code here" in source:
            yield re.search(r"def (\w+)", source).group(1), i, cells


STUBS = [(p, name, i) for p in NOTEBOOKS for name, i, _ in _exercises(p)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_each_stub_is_tried_before_its_solution(path):
    for name, i, cells in _exercises(path):
        uses = [
            (j, c)
            for j, c in enumerate(cells[i + 1 :], start=i + 1)
            if c["cell_type"] == "code"
            and re.search(rf"\b{name}\b", "".join(c["source"]))
        ]
        first, cell = uses[0]
        assert "solution" not in _tags(cell), (
            f"{path.name}: after the stub {name} (cell {i}) the first cell to use it "
            f"is the solution (cell {first}); Run all would check the solution, not "
            "the reader's code"
        )
        solutions = [
            j for j, c in uses if "solution" in _tags(c) and "hide-cell" in _tags(c)
        ]
        assert solutions, f"{path.name}: {name} has no hidden solution cell"


CHECKERS = sorted(
    {
        match
        for path in NOTEBOOKS
        for match in re.findall(r"checks\.(\w+)\(my_\w+\)", path.read_text())
    }
)


def test_the_notebooks_use_checkers():
    assert len(CHECKERS) >= 10, CHECKERS


@pytest.mark.parametrize("name", CHECKERS)
def test_a_checker_fails_kindly_on_a_stub(name):
    def stub(*args, **kwargs): ...

    printed = io.StringIO()
    with redirect_stdout(printed):
        result = getattr(checks, name)(stub)
    assert result is False, f"checks.{name} passed an empty stub"
    message = printed.getvalue()
    assert message.startswith("✗") and "stub" in message, (
        f"checks.{name} should say the stub is not written yet, printed {message!r}"
    )

"""make student removes solutions and keeps the rest; each lesson has 2+ exercises."""

import json
import subprocess
import sys

import pytest
from conftest import ROOT
from test_book import NOTEBOOKS

sys.path.insert(0, str(ROOT / "tools"))
from student_copies import student_copy  # noqa: E402


def _tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def test_student_copy_drops_only_solution_cells():
    notebook = {
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "# Exercise"},
            {
                "cell_type": "code",
                "metadata": {},
                "source": "def f(): ...",
                "outputs": [1],
                "execution_count": 3,
            },
            {
                "cell_type": "code",
                "metadata": {"tags": ["hide-cell", "solution"]},
                "source": "def f(): return 1",
                "outputs": [],
                "execution_count": None,
            },
        ],
    }
    copy = student_copy(notebook)
    assert [c["source"] for c in copy["cells"]] == ["# Exercise", "def f(): ..."]
    assert (
        copy["cells"][1]["outputs"] == []
        and copy["cells"][1]["execution_count"] is None
    )
    assert len(notebook["cells"]) == 3, "the original must not be modified"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_lesson_has_two_exercises_with_hidden_solutions(path):
    cells = json.loads(path.read_text())["cells"]
    solutions = [c for c in cells if "solution" in _tags(c)]
    assert len([c for c in solutions if "hide-cell" in _tags(c)]) >= 2, (
        f"{path.name}: a lesson needs at least two exercises whose solutions are "
        "hidden (tags hide-cell, solution)"
    )


def test_make_student_writes_every_notebook(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "student_copies.py"),
            str(ROOT / "notebooks"),
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    written = sorted(tmp_path.rglob("*.ipynb"))
    assert len(written) == len(NOTEBOOKS)
    for path in written:
        assert not any(
            "solution" in _tags(c) for c in json.loads(path.read_text())["cells"]
        )

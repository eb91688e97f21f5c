"""The set-up cell: in sync with _config.yml, a no-op here, an install where the
library is missing (tried for real: a throwaway venv installs from a local clone)."""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import ROOT
from test_book import NOTEBOOKS

sys.path.insert(0, str(ROOT / "tools"))
import notebook_setup  # noqa: E402

SOURCE = notebook_setup.setup_source()


def _setup_cells(path: Path) -> list[str]:
    cells = json.loads(path.read_text())["cells"]
    return ["".join(c["source"]) for c in cells if notebook_setup.is_setup_cell(c)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_starts_with_the_current_set_up_cell(path):
    assert _setup_cells(path) == [SOURCE], (
        f"{path.name}: run `python tools/notebook_setup.py` to write the set-up cell"
    )


def test_the_cell_names_the_repository_of_config_yml():
    import yaml

    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    assert f"git+{url}@" in SOURCE and "hidden" not in SOURCE


def test_with_setup_cell_is_idempotent_and_puts_the_cell_first():
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# t"]},
            {"cell_type": "code", "metadata": {}, "source": ["x = 1"], "outputs": []},
        ]
    }
    once = notebook_setup.with_setup_cell(notebook, SOURCE)
    twice = notebook_setup.with_setup_cell(once, SOURCE)
    assert once == twice and [c["cell_type"] for c in once["cells"]] == [
        "markdown",
        "code",
        "code",
    ]
    assert notebook_setup.is_setup_cell(once["cells"][1])


def test_locally_the_cell_does_nothing(monkeypatch):
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: calls.append(a))
    exec(compile(SOURCE, "setup-cell", "exec"), {})
    assert calls == [], "scratchvision is installed here: the cell must not run pip"


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to clone")
def test_where_the_library_is_missing_the_cell_installs_it(tmp_path):
    """Colab in miniature: a fresh venv that sees the dependencies, not the library."""
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{ROOT}", str(clone)],
        check=True,
        timeout=120,
    )
    venv = tmp_path / "venv"
    # --without-pip: pip and setuptools come from this environment too, as on Colab
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)],
        check=True,
        timeout=120,
    )
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The dependencies (torch, ...) come from this environment; its editable
    # scratchvision does not, since a path line in a .pth file does not process that
    # folder's own .pth files.
    Path(site, "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    env = {
        **os.environ,
        "SCRATCHVISION_SOURCE": f"file://{clone}",
        "PIP_NO_INDEX": "1",
        "PIP_NO_BUILD_ISOLATION": "0",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    probe = "import importlib.util; print(importlib.util.find_spec('scratchvision'))"
    before = subprocess.run(
        [str(python), "-c", probe], capture_output=True, text=True, env=env
    )
    assert before.stdout.strip() == "None", (
        "the throwaway venv must start without the library"
    )
    script = (
        SOURCE
        + "\nimport scratchvision, scratchvision.ops\nprint(scratchvision.__file__)\n"
    )
    result = subprocess.run(
        [str(python), "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert result.stdout.strip().startswith(site), (
        f"scratchvision should come from the new venv, got {result.stdout!r}"
    )

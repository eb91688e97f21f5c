"""Every notebook's first code cell: install ``scratchvision`` where it is missing.

    python tools/notebook_setup.py          # rewrite the cell in every notebook
    python tools/notebook_setup.py --check  # exit 1 if a notebook's cell is stale

On Colab (and on any kernel without the library) the cell pip-installs the course
from its repository; locally, where ``make`` installed it, the cell does nothing.
The repository URL lives in one place, ``repository.url`` and ``repository.branch``
in ``_config.yml``; this tool writes it into the notebooks, and
``tests/test_notebook_setup.py`` checks that they agree. ``SCRATCHVISION_SOURCE``
overrides the source (a test installs from a local clone).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TAGS = ["remove-cell", "setup"]

TEMPLATE = """\
# Colab or Binder: install the course library if this kernel lacks it (locally: no-op).
import importlib
import importlib.util
import os
import subprocess
import sys

REPOSITORY = "git+{url}@{branch}"
if importlib.util.find_spec("scratchvision") is None:
    source = os.environ.get("SCRATCHVISION_SOURCE", REPOSITORY)
    pip = [sys.executable, "-m", "pip", "install", "-q", f"scratchvision @ {{source}}"]
    subprocess.run(pip, check=True)
    importlib.invalidate_caches()"""


def setup_source(config_path: Path = ROOT / "_config.yml") -> str:
    """The set-up cell's source, with the repository named in ``_config.yml``."""
    repository = yaml.safe_load(config_path.read_text())["repository"]
    return TEMPLATE.format(
        url=repository["url"], branch=repository.get("branch", "main")
    )


def setup_cell(source: str) -> dict:
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": "setup",
        "metadata": {"tags": list(TAGS)},
        "outputs": [],
        "source": source.splitlines(keepends=True),
    }


def is_setup_cell(cell: dict) -> bool:
    return "setup" in cell.get("metadata", {}).get("tags", [])


def with_setup_cell(notebook: dict, source: str) -> dict:
    """Return the notebook with exactly one set-up cell, first among its code cells."""
    cells = [c for c in notebook["cells"] if not is_setup_cell(c)]
    first_code = next(i for i, c in enumerate(cells) if c["cell_type"] == "code")
    cells.insert(first_code, setup_cell(source))
    return {**notebook, "cells": cells}


def notebooks(root: Path = ROOT / "notebooks") -> list[Path]:
    return sorted(
        p for p in root.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="only report stale notebooks"
    )
    args = parser.parse_args(argv)
    source, stale = setup_source(), []
    for path in notebooks():
        notebook = json.loads(path.read_text())
        updated = with_setup_cell(notebook, source)
        if updated != notebook:
            stale.append(path)
            if not args.check:
                path.write_text(
                    json.dumps(updated, indent=1, ensure_ascii=False) + "\n"
                )
    verb = "out of date" if args.check else "updated"
    for path in stale:
        print(f"{verb}: {path.relative_to(ROOT)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())

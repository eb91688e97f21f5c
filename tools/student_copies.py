"""Student copies of the notebooks: cells tagged ``solution`` removed, outputs cleared.

    python tools/student_copies.py notebooks _build/student

Exercise stubs and their checkers stay, so students get a ✓ or a helpful difference when
they run them. Hidden claim checks that depend on a solution are tagged ``solution``
too.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def student_copy(notebook: dict) -> dict:
    """A copy of a notebook (as JSON) without solution cells and without outputs."""
    cells = []
    for cell in notebook["cells"]:
        if "solution" in cell.get("metadata", {}).get("tags", []):
            continue
        cell = dict(cell)
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        cells.append(cell)
    return {**notebook, "cells": cells}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("destination", type=Path)
    args = parser.parse_args(argv)
    written = 0
    for path in sorted(args.source.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        target = args.destination / path.relative_to(args.source)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            json.dumps(student_copy(json.loads(path.read_text())), indent=1) + "\n"
        )
        written += 1
    print(f"wrote {written} student notebooks to {args.destination}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

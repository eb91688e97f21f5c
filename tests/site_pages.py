"""What the built website should contain, read from the sources (for the tests).

The site build (``make book``) executes every notebook once and keeps the executed
copies in ``_build/jupyter_execute``; these helpers find them and say which cells draw.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from conftest import ROOT

HTML = ROOT / "_build" / "html"
EXECUTED = ROOT / "_build" / "jupyter_execute"

# Calls that put a matplotlib figure on the page when a cell's top level makes them.
DRAWING_CALLS = {
    "subplots", "figure", "imshow", "plot", "bar", "barh", "scatter", "hist",
    "image_grid", "draw_boxes", "overlay_masks", "overlay_heatmap", "plot_curves",
    "plot_history", "show_scene",
}  # fmt: skip


def notebook_sources() -> list[Path]:
    """Every notebook the site executes: .ipynb under notebooks/ and MyST notebooks."""
    paths = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb"))
    myst = [p for p in sorted((ROOT / "book").glob("*.md")) if _is_myst_notebook(p)]
    return [p for p in paths if ".ipynb_checkpoints" not in p.parts] + myst


def _is_myst_notebook(path: Path) -> bool:
    text = path.read_text()
    return text.startswith("---") and "kernelspec" in text.split("\n---", 1)[0]


def code_cells(path: Path) -> list[tuple[str, list[str]]]:
    """A notebook's code cells as ``(source, tags)``, in order (.ipynb or MyST)."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text())["cells"]
        return [
            ("".join(c["source"]), c.get("metadata", {}).get("tags", []))
            for c in cells
            if c["cell_type"] == "code"
        ]
    cells = []
    for block in path.read_text().split("```{code-cell}")[1:]:
        lines = block.split("\n", 1)[1].split("\n```", 1)[0].splitlines()
        tags = []
        while lines and lines[0].startswith(":"):  # cell options such as :tags:
            key, _, value = lines.pop(0)[1:].partition(":")
            if key.strip() == "tags":
                tags = [t.strip(" '\"") for t in value.strip(" []").split(",")]
        cells.append(("\n".join(lines), tags))
    return cells


def draws(source: str) -> bool:
    """True if the cell's top level calls a plotting function (not only defines one)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef | ast.ClassDef | ast.Import):
            continue
        for node in ast.walk(statement):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", getattr(node.func, "id", None))
                if name in DRAWING_CALLS:
                    return True
    return False


def executed_copy(path: Path) -> Path:
    return (EXECUTED / path.relative_to(ROOT)).with_suffix(".ipynb")


def page(path: Path) -> Path:
    return (HTML / path.relative_to(ROOT)).with_suffix(".html")


def figure_cells(path: Path, *, on_page: bool = False) -> list[int]:
    """Indices (among code cells) of the cells that draw a figure.

    With ``on_page``, only those whose output the website shows (not tagged
    ``remove-cell`` or ``remove-output``).
    """
    hidden = {"remove-cell", "remove-output"}
    return [
        i
        for i, (source, tags) in enumerate(code_cells(path))
        if draws(source) and not (on_page and hidden & set(tags))
    ]

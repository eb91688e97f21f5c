"""The executed notebooks behind the website: current, error-free, and every drawing
cell has its figure (the site once showed none: kernels ran without the inline
backend)."""

import json

import pytest
from site_pages import code_cells, draws, executed_copy, figure_cells, notebook_sources

NOTEBOOKS = notebook_sources()


def _executed(path):
    copy = executed_copy(path)
    if not copy.exists():
        pytest.fail(f"{copy} is missing: build the site first (make book)")
    return [
        c for c in json.loads(copy.read_text())["cells"] if c["cell_type"] == "code"
    ]


def test_the_drawing_detector():
    assert draws("fig, ax = plt.subplots()\nax.plot([1, 2])")
    assert draws("image_grid(images, titles=names)")
    assert not draws("def draw(fig, k):\n    fig.subplots().plot([k])")
    assert not draws("x = torch.zeros(3)\nprint(x.sum())")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_executed_copy_is_current_and_has_no_errors(path):
    cells = _executed(path)
    executed = ["".join(c["source"]).strip() for c in cells]
    assert executed == [source.strip() for source, _ in code_cells(path)], (
        f"{path.name}: the executed copy is stale; rebuild the site (make book)"
    )
    errors = [
        i
        for i, c in enumerate(cells)
        for o in c["outputs"]
        if o["output_type"] == "error"
    ]
    assert not errors, f"{path.name}: code cells {errors} raised"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_drawing_cell_has_its_figure(path):
    cells = _executed(path)
    drawing = figure_cells(path)
    without = [
        i
        for i in drawing
        if not any("image/png" in o.get("data", {}) for o in cells[i]["outputs"])
    ]
    assert not without, (
        f"{path.name}: {len(without)} of {len(drawing)} drawing cells show no image "
        f"(code cells {without}); is the kernel's matplotlib backend inline?"
    )

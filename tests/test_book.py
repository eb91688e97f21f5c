"""The book's structure: toc <-> files, notebooks stored clean and set up alike.

The site itself is built (with -W, every notebook executed) by make test before pytest
runs; test_site.py and test_site_notebooks.py check what that build wrote."""

import json
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
NOTEBOOKS = sorted(
    p
    for p in (ROOT / "notebooks").rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts
)


def toc_files() -> list[str]:
    files = [TOC["root"]]

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections", []))
            walk(entry.get("chapters", []))

    for part in TOC["parts"]:
        walk(part["chapters"])
    return files


def _resolve(entry: str) -> Path | None:
    for suffix in (".md", ".ipynb"):
        if (ROOT / f"{entry}{suffix}").exists():
            return ROOT / f"{entry}{suffix}"
    return None


def test_every_toc_entry_exists():
    missing = [f for f in toc_files() if _resolve(f) is None]
    assert not missing, f"_toc.yml names files that do not exist: {missing}"


def test_every_notebook_is_in_the_toc():
    listed = {str(_resolve(f).relative_to(ROOT)) for f in toc_files() if _resolve(f)}
    orphans = [
        str(p.relative_to(ROOT))
        for p in NOTEBOOKS
        if str(p.relative_to(ROOT)) not in listed
    ]
    assert not orphans, f"notebooks missing from _toc.yml: {orphans}"


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks under notebooks/"


def test_five_chapter_parts_and_glossary():
    captions = [part["caption"] for part in TOC["parts"]]
    assert [c[:2] for c in captions if c[0].isdigit()] == ["1.", "2.", "3.", "4.", "5."]
    assert "book/glossary" in toc_files() and "book/setup" in toc_files()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_stored_without_outputs_and_seeded(path):
    notebook = json.loads(path.read_text())
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    dirty = [
        i for i, c in enumerate(code) if c.get("outputs") or c.get("execution_count")
    ]
    assert not dirty, (
        f"{path.name}: code cells {dirty} carry outputs; store notebooks clean"
    )
    assert notebook["metadata"].get("kernelspec", {}).get("name") == "python3"
    assert "setup" in code[0]["metadata"].get("tags", []), (
        f"{path.name}: the first code cell must be the set-up cell "
        "(tools/notebook_setup.py writes it)"
    )
    imports = "".join(code[1]["source"])
    assert "seed_everything(" in imports, (
        f"{path.name}: the code cell after the set-up cell must call seed_everything"
    )
    assert notebook["cells"][0]["cell_type"] == "markdown" and "".join(
        notebook["cells"][0]["source"]
    ).startswith("# ")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_never_defines_library_code(path):
    """Library code lives in scratchvision; notebooks define only solutions, plots."""
    notebook = json.loads(path.read_text())
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and "class " in source and "nn.Module" in source:
            pytest.fail(
                f"{path.name} defines an nn.Module; put it in lib/scratchvision"
            )

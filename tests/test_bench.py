"""make bench's machinery: rows, ratios and the Markdown it writes.

The slow sections run only in ``make bench``; here the conv section runs for real, the
notebook section with a stand-in for nbconvert, and the committed page is checked for
honest columns: a header with a unit holds bare numbers in that unit.
"""

import re
import subprocess
import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import bench  # noqa: E402


def test_compare_reports_the_ratio_of_ours_to_the_reference():
    row = bench.compare(
        "sleepy", lambda: sum(range(20000)), lambda: None, "nothing", repeats=3
    )
    assert row["reference"] == "nothing" and float(row["ratio"].rstrip("x")) > 1


def test_markdown_has_one_table_per_section():
    text = bench.markdown({"A": [{"benchmark": "x", "ratio": "2.0x"}], "B": []})
    assert (
        "## A" in text
        and "| benchmark | ratio |" in text
        and "| x | 2.0x |" in text
        and "(no rows)" in text
    )


def test_every_section_is_named_and_callable():
    assert len(bench.SECTIONS) >= 5 and all(
        callable(f) for f in bench.SECTIONS.values()
    )


def test_conv_section_runs(monkeypatch):
    rows = bench.section_conv()
    assert [r["reference"] for r in rows] == ["F.conv2d"] * 3 + ["F.max_pool2d"]


def test_notebook_rows_report_wall_time_against_the_budget(monkeypatch):
    def fake_nbconvert(command, **kwargs):
        failed = command[-1].endswith("03_vit.ipynb")
        return subprocess.CompletedProcess(command, int(failed), "", "")

    monkeypatch.setattr(bench.subprocess, "run", fake_nbconvert)
    rows = bench.section_notebooks()
    header = ["notebook", "wall time (s)", "budget (s)", "within budget"]
    assert all(list(row) == header for row in rows)
    verdicts = {row["notebook"]: row["within budget"] for row in rows}
    assert verdicts.pop("01_cnn_vit/03_vit.ipynb") == "FAILED"
    assert verdicts and set(verdicts.values()) == {"yes"}
    assert {row["budget (s)"] for row in rows} == {str(bench.NOTEBOOK_BUDGET_S)}


NUMBER = r"\d+(\.\d+)?"


def cell_pattern(header: str) -> str:
    """What a cell under ``header`` may hold; a unit in the header means a number."""
    if header in ("ratio", "time / BM3D"):
        return NUMBER + "x"
    if header == "within budget":
        return "yes|no|FAILED"
    if "(" in header or header.startswith("ms per") or header == "SSIM":
        return NUMBER
    return r"[^|]*\S[^|]*"  # a name: benchmark, reference, denoiser, notebook


def test_benchmarks_page_has_one_honest_table_per_section():
    text = (ROOT / "book" / "benchmarks.md").read_text()
    titles = re.findall(r"^## (.+)$", text, flags=re.M)
    assert titles == list(bench.SECTIONS)
    for table in re.findall(r"(?:^\|.*\|\n?)+", text, flags=re.M):
        header, rule, *rows = [
            [cell.strip() for cell in line.strip("|").split("|")]
            for line in table.strip().splitlines()
        ]
        assert rule == ["---"] * len(header) and rows, table
        for row in rows:
            assert len(row) == len(header), row
            for key, cell in zip(header, row):
                assert re.fullmatch(cell_pattern(key), cell), (key, cell)

"""make bench's machinery: rows, ratios and the Markdown it writes (the sections run in make bench)."""

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

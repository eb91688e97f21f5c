"""``make bench``: the library against its references, and every notebook's wall time.

Prints one table and writes it as Markdown (``book/benchmarks.md``, linked from the README).
Each row compares our implementation with a trusted reference on the same input *in the same
run*, so the ratio holds across machines better than a single timing does. Chapters add rows by
adding a function to ``SECTIONS``.
"""
from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
Row = dict[str, str]


def median_ms(fn: Callable[[], object], *, repeats: int = 7, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` in milliseconds."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def compare(name: str, ours: Callable, reference: Callable, reference_name: str, **kwargs) -> Row:
    """A row: our time, the reference's time and the ratio ours / reference (lower is better)."""
    a, b = median_ms(ours, **kwargs), median_ms(reference, **kwargs)
    return {"benchmark": name, "ours (ms)": f"{a:.2f}", "reference": reference_name,
            "reference (ms)": f"{b:.2f}", "ratio": f"{a / b:.1f}x"}


def section_conv() -> list[Row]:
    from scratchvision.ops.conv import conv2d, conv2d_naive
    from scratchvision.ops.pool import max_pool2d

    g = torch.Generator().manual_seed(0)
    small, w_small = torch.randn(1, 3, 16, 16, generator=g), torch.randn(8, 3, 3, 3, generator=g)
    x, w = torch.randn(8, 16, 32, 32, generator=g), torch.randn(32, 16, 3, 3, generator=g)
    rows = [
        compare("conv2d naive loops, 1x3x16x16, 8 filters 3x3", lambda: conv2d_naive(small, w_small, padding=1),
                lambda: F.conv2d(small, w_small, padding=1), "F.conv2d", repeats=3),
        compare("conv2d im2col, 8x16x32x32, 32 filters 3x3", lambda: conv2d(x, w, padding=1),
                lambda: F.conv2d(x, w, padding=1), "F.conv2d"),
    ]
    xg, wg = x.clone().requires_grad_(), w.clone().requires_grad_()
    rows.append(compare("conv2d im2col forward+backward, same size",
                        lambda: conv2d(xg, wg, padding=1).sum().backward(),
                        lambda: F.conv2d(xg, wg, padding=1).sum().backward(), "F.conv2d"))
    rows.append(compare("max_pool2d 2x2, 8x16x32x32", lambda: max_pool2d(x, 2), lambda: F.max_pool2d(x, 2),
                        "F.max_pool2d"))
    return rows


def section_data() -> list[Row]:
    from scratchvision.data import ShapeWorld

    rows = []
    for n_objects in ((1, 1), (2, 4)):
        world = ShapeWorld(size=64, n_objects=n_objects)
        count = 300
        start = time.perf_counter()
        for seed in range(count):
            world.scene(seed)
        rate = count / (time.perf_counter() - start)
        rows.append({"benchmark": f"ShapeWorld scenes/s at 64x64, {n_objects[0]}-{n_objects[1]} objects",
                     "ours (ms)": f"{1e3 / rate:.2f}", "reference": "—", "reference (ms)": "—",
                     "ratio": f"{rate:.0f} scenes/s"})
    return rows


def section_notebooks() -> list[Row]:
    """Execute every notebook once, as nbval and the book do, and time it."""
    rows = []
    for path in sorted((ROOT / "notebooks").rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        start = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--stdout",
             "--ExecutePreprocessor.timeout=600", str(path)],
            capture_output=True, text=True, cwd=path.parent,
        )
        seconds = time.perf_counter() - start
        status = "ok" if result.returncode == 0 else "FAILED"
        rows.append({"benchmark": f"notebook {path.relative_to(ROOT / 'notebooks')}", "ours (ms)": "—",
                     "reference": "budget 90 s", "reference (ms)": "—", "ratio": f"{seconds:.1f} s {status}"})
    return rows


SECTIONS: dict[str, Callable[[], list[Row]]] = {
    "Foundation: convolution and pooling": section_conv,
    "Foundation: ShapeWorld": section_data,
    "Notebooks (wall time, kernel start included)": section_notebooks,
}


def markdown(results: dict[str, list[Row]]) -> str:
    lines = ["# Benchmarks", "",
             f"Measured by `make bench` on {date.today().isoformat()}: {platform.machine()}, "
             f"{torch.get_num_threads()} torch threads, torch {torch.__version__.split('+')[0]}, "
             f"Python {platform.python_version()}. A ratio is our time divided by the reference's "
             "time on the same input in the same run (lower is better).", ""]
    for title, rows in results.items():
        lines += [f"## {title}", ""]
        if not rows:
            lines += ["(no rows)", ""]
            continue
        keys = list(rows[0])
        lines.append("| " + " | ".join(keys) + " |")
        lines.append("|" + "---|" * len(keys))
        lines += ["| " + " | ".join(row[k] for k in keys) + " |" for row in rows]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="write the Markdown table here")
    parser.add_argument("--only", nargs="*", default=None, help="section titles (substring match)")
    args = parser.parse_args(argv)
    results = {}
    for title, section in SECTIONS.items():
        if args.only and not any(s.lower() in title.lower() for s in args.only):
            continue
        print(f"== {title}", flush=True)
        results[title] = section()
        for row in results[title]:
            print("  " + "  ".join(f"{k}: {v}" for k, v in row.items()), flush=True)
    text = markdown(results)
    if args.out:
        args.out.write_text(text)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

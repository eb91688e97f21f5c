"""``make bench``: the library against its references, and every notebook's wall time.

Prints one table per section and writes them as Markdown (``book/benchmarks.md``, linked
from the README). A comparison row times our implementation and a trusted reference on
the same input *in the same run*, so the ratio holds across machines better than a
single timing does. Throughput, denoising and notebook sections have columns of their
own: each section's rows share one set of keys, and those keys are the table's header.
Chapters add rows by adding a function to ``SECTIONS``.
"""

from __future__ import annotations

import argparse
import functools
import platform
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import torch
import torch.nn.functional as F
from scratchvision.measure import timed

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_BUDGET_S = 90  # CONTRIBUTING.md: a notebook runs in at most 90 s on 2 cores
Row = dict[str, str]


def median_ms(fn: Callable[[], object], *, repeats: int = 7, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` in milliseconds, by ``measure.timed``."""
    return 1e3 * timed(fn, repeats=repeats, warmup=warmup).median


def compare(
    name: str, ours: Callable, reference: Callable, reference_name: str, **kwargs
) -> Row:
    """A row: both times and the ratio ours / reference (lower is better)."""
    a, b = median_ms(ours, **kwargs), median_ms(reference, **kwargs)
    return {
        "benchmark": name,
        "ours (ms)": f"{a:.2f}",
        "reference": reference_name,
        "reference (ms)": f"{b:.2f}",
        "ratio": f"{a / b:.1f}x",
    }


def section_conv() -> list[Row]:
    from scratchvision.ops.conv import conv2d, conv2d_naive
    from scratchvision.ops.pool import max_pool2d

    g = torch.Generator().manual_seed(0)
    small, w_small = (
        torch.randn(1, 3, 16, 16, generator=g),
        torch.randn(8, 3, 3, 3, generator=g),
    )
    x, w = (
        torch.randn(8, 16, 32, 32, generator=g),
        torch.randn(32, 16, 3, 3, generator=g),
    )
    rows = [
        compare(
            "conv2d naive loops, 1x3x16x16, 8 filters 3x3",
            lambda: conv2d_naive(small, w_small, padding=1),
            lambda: F.conv2d(small, w_small, padding=1),
            "F.conv2d",
            repeats=3,
        ),
        compare(
            "conv2d im2col, 8x16x32x32, 32 filters 3x3",
            lambda: conv2d(x, w, padding=1),
            lambda: F.conv2d(x, w, padding=1),
            "F.conv2d",
        ),
    ]
    xg, wg = x.clone().requires_grad_(), w.clone().requires_grad_()
    rows.append(
        compare(
            "conv2d im2col forward+backward, same size",
            lambda: conv2d(xg, wg, padding=1).sum().backward(),
            lambda: F.conv2d(xg, wg, padding=1).sum().backward(),
            "F.conv2d",
        )
    )
    rows.append(
        compare(
            "max_pool2d 2x2, 8x16x32x32",
            lambda: max_pool2d(x, 2),
            lambda: F.max_pool2d(x, 2),
            "F.max_pool2d",
        )
    )
    return rows


def section_data() -> list[Row]:
    from scratchvision.data import ShapeWorld, benchmark_scenes

    rows = []
    for n_objects in ((1, 1), (1, 3), (2, 4)):
        rate = benchmark_scenes(ShapeWorld(size=64, n_objects=n_objects), 300)
        low, high = n_objects
        rows.append(
            {
                "benchmark": f"ShapeWorld at 64x64, {low}-{high} objects",
                "ms per scene (CPU)": f"{1e3 / rate:.2f}",
                "throughput (scenes/s, CPU)": f"{rate:.0f}",
            }
        )
    return rows


def section_attention() -> list[Row]:
    from scratchvision.backbones import attention_cost_curve
    from scratchvision.ops.attention import attention

    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(8, 4, 256, 32, generator=g) for _ in range(3))
    rows = [
        compare(
            "attention, B=8 h=4 N=256 d=32",
            lambda: attention(q, k, v),
            lambda: F.scaled_dot_product_attention(q, k, v),
            "F.scaled_dot_product_attention",
        )
    ]
    for row in attention_cost_curve((8, 16, 32, 48), dim=48, window=4, repeats=3):
        grid = f"{row['size']}x{row['size']}"
        rows.append(
            {
                "benchmark": f"window attention (M=4) vs global, {grid} tokens, C=48",
                "ours (ms)": f"{row['window_ms']:.2f}",
                "reference": "global attention",
                "reference (ms)": f"{row['global_ms']:.2f}",
                "ratio": f"{row['window_ms'] / row['global_ms']:.3f}x",
            }
        )
    return rows


def section_backbones() -> list[Row]:
    """Forward+backward throughput of every chapter-1 preset at batch 32.

    A network with a zoo checkpoint is built from its card (``zoo.build``), so the
    name in the table is the network the zoo trained.
    """
    from scratchvision import backbones as bb
    from scratchvision import zoo

    presets = {
        "LeNet (1x32x32)": (bb.LeNet(), (1, 32, 32)),
        "AlexNet": (bb.AlexNet(), (3, 64, 64)),
        "vgg_small": (bb.vgg_small(), (3, 64, 64)),
        "resnet20-shapeworld": (zoo.build("resnet20-shapeworld"), (3, 64, 64)),
        "plain20-shapeworld": (zoo.build("plain20-shapeworld"), (3, 64, 64)),
        "vit_tiny": (bb.vit_tiny(), (3, 64, 64)),
        "vit_small": (bb.vit_small(), (3, 64, 64)),
        "swin_tiny": (bb.swin_tiny(), (3, 64, 64)),
    }
    rows = []
    for name, (model, shape) in presets.items():
        x = torch.randn(32, *shape)
        # default arguments bind this preset's model and input into the lambda
        ms = median_ms(lambda model=model, x=x: model(x).sum().backward(), repeats=3)
        rows.append(
            {
                "benchmark": f"{name} forward+backward, batch 32",
                "ms per batch": f"{ms:.0f}",
                "throughput (images/s)": f"{32e3 / ms:.0f}",
            }
        )
    return rows


def section_metrics() -> list[Row]:
    from scratchvision.imaging.benchmark import metrics_benchmark

    return [
        {
            "benchmark": f"{r['metric']} 256x256 RGB",
            "ours (ms)": f"{r['ours_ms']:.2f}",
            "reference": "skimage.metrics",
            "reference (ms)": f"{r['skimage_ms']:.2f}",
            "ratio": f"{r['ratio']:.2f}x",
        }
        for r in metrics_benchmark()
    ]


def section_denoising() -> list[Row]:
    """Quality and speed of each denoiser at σ=25; time is relative to BM3D."""
    from scratchvision.imaging.benchmark import denoise_benchmark

    table = denoise_benchmark(sigmas=(25,), n_crops=2, size=128)
    bm3d = next(r for r in table if r["method"] == "BM3D")
    return [
        {
            "denoiser": row["method"],
            "PSNR (dB)": f"{row['psnr']:.2f}",
            "SSIM": f"{row['ssim']:.3f}",
            "ms per MPix": f"{row['s_per_mpix'] * 1e3:.0f}",
            "time / BM3D": f"{row['s_per_mpix'] / bm3d['s_per_mpix']:.3f}x",
        }
        for row in table
    ]


def section_notebooks() -> list[Row]:
    """Execute every notebook once, as nbval and the book do, and time it."""
    rows = []
    for path in sorted((ROOT / "notebooks").rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        command = [
            sys.executable,
            "-m",
            "jupyter",
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "--stdout",
            "--ExecutePreprocessor.timeout=600",
            str(path),
        ]
        run = timed(
            functools.partial(
                subprocess.run, command, capture_output=True, text=True, cwd=path.parent
            )
        )
        result, seconds = run.result, run.seconds[0]
        if result.returncode != 0:
            within = "FAILED"
        else:
            within = "yes" if seconds <= NOTEBOOK_BUDGET_S else "no"
        rows.append(
            {
                "notebook": str(path.relative_to(ROOT / "notebooks")),
                "wall time (s)": f"{seconds:.1f}",
                "budget (s)": str(NOTEBOOK_BUDGET_S),
                "within budget": within,
            }
        )
    return rows


SECTIONS: dict[str, Callable[[], list[Row]]] = {
    "Foundation: convolution and pooling": section_conv,
    "Foundation: ShapeWorld": section_data,
    "Chapter 1: attention": section_attention,
    "Chapter 1: backbones": section_backbones,
    "Chapter 5: metrics": section_metrics,
    "Chapter 5: denoising (σ=25, two 128x128 crops)": section_denoising,
    "Notebooks (wall time, kernel start included)": section_notebooks,
}


def markdown(results: dict[str, list[Row]]) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Measured by `make bench` on {date.today().isoformat()}: "
        f"{platform.machine()}, {torch.get_num_threads()} torch thread(s), "
        f"torch {torch.__version__.split('+')[0]}, "
        f"Python {platform.python_version()}. A ratio is our time divided by the "
        "reference's time on the same input in the same run (lower is better).",
        "",
    ]
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
    parser.add_argument(
        "--out", type=Path, default=None, help="write the Markdown table here"
    )
    parser.add_argument(
        "--only", nargs="*", default=None, help="section titles (substring match)"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads "
        "(default 1: ratios then compare algorithms, not core counts)",
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
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

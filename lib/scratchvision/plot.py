"""Figures for the course: image grids, boxes, masks, heatmaps, curves and animations.

Every function titles its figure and labels its axes (STYLE.md). Images are tensors in
``[0, 1]``: ``Tensor[C, H, W]`` (C = 1 or 3), ``Tensor[H, W]``, or a batch
``Tensor[B, C, H, W]``.

Interactive pieces come in pairs: :func:`explore` is a live ipywidgets UI for a running
kernel; :func:`sweep_animation` draws the same callback over a list of values into a
self-contained JavaScript animation, which is what the static website shows.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .validate import check_int, check_tensor

# Colours that stay distinguishable for the boxes and masks of one scene.
PALETTE = plt.get_cmap("tab10").colors


def to_numpy_image(image: torch.Tensor | np.ndarray) -> np.ndarray:
    """Turn ``Tensor[C, H, W]`` / ``Tensor[H, W]`` into an ``(H, W[, 3])`` array."""
    if isinstance(image, np.ndarray):
        image = torch.from_numpy(image)
    check_tensor(
        "image", image, ndim=(2, 3), dims="(C, H, W) or (H, W)", fn="to_numpy_image"
    )
    image = image.detach().float().cpu()
    if image.ndim == 3:
        if image.shape[0] not in (1, 3):
            raise ValueError(
                "to_numpy_image: image must have 1 or 3 channels first (C, H, W), "
                f"got shape {tuple(image.shape)}"
            )
        image = (
            image[0] if image.shape[0] == 1 else image.permute(1, 2, 0)
        )  # (H, W) or (H, W, 3)
    return image.numpy()


def _as_list(images: torch.Tensor | Sequence[torch.Tensor]) -> list[torch.Tensor]:
    if isinstance(images, torch.Tensor):
        check_tensor(
            "images",
            images,
            ndim=(3, 4),
            dims="(B, C, H, W) or (B, H, W)",
            fn="image_grid",
        )
        return list(images)
    if len(images) == 0:
        raise ValueError("image_grid: images must not be empty, got an empty sequence")
    return list(images)


def image_grid(
    images: torch.Tensor | Sequence[torch.Tensor],
    *,
    titles: Sequence[str] | None = None,
    ncols: int = 8,
    title: str | None = None,
    cmap: str | None = None,
    size: float = 1.3,
) -> Figure:
    """Show images in a grid; returns the figure.

    Args:
        images: ``Tensor[B, C, H, W]``, ``Tensor[B, H, W]`` or a list of
            ``Tensor[C, H, W]``.
        titles: one short title per image.
        ncols: images per row.
        title: the figure's title.
        cmap: colormap for one-channel images (default ``gray``).
        size: inches per image.
    """
    items = _as_list(images)
    check_int("ncols", ncols, min_value=1, fn="image_grid")
    if titles is not None and len(titles) != len(items):
        raise ValueError(
            "image_grid: titles must have one entry per image "
            f"({len(items)}), got {len(titles)}"
        )
    ncols = min(ncols, len(items))
    nrows = -(-len(items) // ncols)
    # Constrained layout keeps each row's titles clear of the row above (tight_layout
    # let them overlap once images were square and titles long).
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(size * ncols, (size + 0.25) * nrows + 0.4),
        squeeze=False,
        layout="constrained",
    )
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= len(items):
            ax.axis("off")
            continue
        array = to_numpy_image(items[i])
        ax.imshow(
            np.clip(array, 0, 1) if array.ndim == 3 else array, cmap=cmap or "gray"
        )
        if titles is not None:
            ax.set_title(titles[i], fontsize=9)
    fig.suptitle(title or f"{len(items)} images")
    return fig


def _axes(ax: plt.Axes | None, figsize: tuple[float, float] = (4, 4)) -> plt.Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def draw_boxes(
    image: torch.Tensor,
    boxes: torch.Tensor,
    *,
    labels: Sequence[str] | None = None,
    ax: plt.Axes | None = None,
    title: str = "boxes",
) -> plt.Axes:
    """Draw ``boxes (Tensor[K, 4])`` in ``(x1, y1, x2, y2)`` pixels over an image."""
    check_tensor("boxes", boxes, ndim=2, dims="(K, 4)", fn="draw_boxes")
    if boxes.shape[-1] != 4:
        raise ValueError(
            f"draw_boxes: boxes must have shape (K, 4), got {tuple(boxes.shape)}"
        )
    ax = _axes(ax)
    ax.imshow(np.clip(to_numpy_image(image), 0, 1), cmap="gray")
    for k, (x1, y1, x2, y2) in enumerate(boxes.tolist()):
        colour = PALETTE[k % len(PALETTE)]
        ax.add_patch(
            plt.Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, color=colour, lw=1.5)
        )
        if labels is not None:
            ax.text(
                x1,
                y1,
                labels[k],
                color="white",
                fontsize=7,
                va="bottom",
                bbox={"facecolor": colour, "pad": 1, "lw": 0},
            )
    ax.set_title(title)
    ax.set_xlabel("x (pixels)")
    ax.set_ylabel("y (pixels)")
    return ax


def overlay_masks(
    image: torch.Tensor,
    masks: torch.Tensor,
    *,
    alpha: float = 0.5,
    ax: plt.Axes | None = None,
    title: str = "masks",
) -> plt.Axes:
    """Colour each of ``masks (Tensor[M, H, W] bool)`` over the image."""
    check_tensor("masks", masks, ndim=3, dims="(M, H, W)", fn="overlay_masks")
    ax = _axes(ax)
    base = to_numpy_image(image)
    base = np.repeat(base[..., None], 3, axis=-1) if base.ndim == 2 else base
    out = np.clip(base.copy(), 0, 1)
    for m, mask in enumerate(masks.bool().cpu().numpy()):
        colour = np.asarray(PALETTE[m % len(PALETTE)])
        out[mask] = (1 - alpha) * out[mask] + alpha * colour
    ax.imshow(out)
    ax.set_title(title)
    ax.set_xlabel("x (pixels)")
    ax.set_ylabel("y (pixels)")
    return ax


def overlay_heatmap(
    image: torch.Tensor,
    heat: torch.Tensor,
    *,
    alpha: float = 0.5,
    ax: plt.Axes | None = None,
    title: str = "heatmap",
    cmap: str = "jet",
) -> plt.Axes:
    """Overlay ``heat (Tensor[h, w])`` on an image (stretched to the image's size)."""
    check_tensor("heat", heat, ndim=2, dims="(h, w)", fn="overlay_heatmap")
    ax = _axes(ax)
    base = to_numpy_image(image)
    height, width = base.shape[:2]
    ax.imshow(np.clip(base, 0, 1), cmap="gray")
    ax.imshow(
        heat.detach().float().cpu().numpy(),
        cmap=cmap,
        alpha=alpha,
        extent=(-0.5, width - 0.5, height - 0.5, -0.5),
        interpolation="bilinear",
    )
    ax.set_title(title)
    ax.set_xlabel("x (pixels)")
    ax.set_ylabel("y (pixels)")
    return ax


def plot_curves(
    curves: Mapping[str, Sequence[float]],
    *,
    xlabel: str = "epoch",
    ylabel: str = "loss",
    title: str = "training curves",
    ax: plt.Axes | None = None,
    logy: bool = False,
) -> plt.Axes:
    """Plot named series against their index (epochs or steps)."""
    if not curves:
        raise ValueError("plot_curves: curves must name at least one series, got none")
    ax = _axes(ax, figsize=(6, 3.5))
    for name, values in curves.items():
        ax.plot(
            range(1, len(values) + 1),
            list(values),
            label=name,
            marker="o" if len(values) < 30 else None,
        )
    if logy:
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epoch 2, never 1.5
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    ax.grid(alpha=0.3)
    return ax


def plot_history(history: Any, *, title: str = "training history") -> Figure:
    """Draw a :class:`scratchvision.train.History`: losses left, other metrics right."""
    records = history.epochs
    if not records:
        raise ValueError("plot_history: history has no epochs yet")
    keys = sorted({k for r in records for k in r if k != "epoch"})
    losses = {
        k: [r.get(k, np.nan) for r in records] for k in keys if k.endswith("loss")
    }
    others = {
        k: [r.get(k, np.nan) for r in records]
        for k in keys
        if not k.endswith("loss") and k != "seconds"
    }
    fig, axes = plt.subplots(
        1, 2 if others else 1, figsize=(10 if others else 5.5, 3.5), squeeze=False
    )
    plot_curves(losses, ylabel="loss", title="loss", ax=axes[0, 0])
    if others:
        plot_curves(others, ylabel="metric", title="metrics", ax=axes[0, 1])
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def sweep_animation(
    draw: Callable[[Figure, Any], None],
    values: Sequence[Any],
    *,
    figsize: tuple[float, float] = (8, 3),
    interval: int = 600,
    title: str | None = None,
    dpi: int = 72,
):
    """Render ``draw(fig, value)`` for each value as a self-contained HTML/JS animation.

    This is the static twin of :func:`explore`: it needs no kernel, so the website shows
    it. Every frame is embedded as a PNG at ``dpi``: the default keeps a page light and
    fast to build.

    Returns:
        ``IPython.display.HTML`` with the animation (frames embedded as PNG).
    """
    from IPython.display import HTML

    if len(values) == 0:
        raise ValueError("sweep_animation: values must not be empty")
    fig = plt.figure(figsize=figsize, dpi=dpi)

    def frame(i: int) -> list:
        fig.clear()
        draw(fig, values[i])
        if title:
            # Lay the panels out again below a band for the title, so that the title
            # never sits on the panels' own titles.
            band = min(0.3, 0.4 / figsize[1])
            fig.suptitle(title, y=1 - band / 4, va="top")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # axes tight_layout cannot place
                fig.tight_layout(rect=(0, 0, 1, 1 - band))
        return []

    animation = FuncAnimation(fig, frame, frames=len(values), interval=interval)
    html = animation.to_jshtml(default_mode="loop")
    plt.close(fig)
    if os.environ.get("SCRATCHVISION_STATIC") == "1":
        # The website's theme ships Font Awesome for the player's buttons: drop the
        # stylesheet link to a CDN, since the site must make no request to another host.
        html = re.sub(r"<link[^>]*font-awesome[^>]*>", "", html)
    return HTML(html)


def explore(
    draw: Callable[..., None],
    *,
    figsize: tuple[float, float] = (8, 3),
    **sliders: Sequence[Any],
) -> None:
    """A live ipywidgets explorer: one slider per keyword; ``draw(fig, **values)``.

    Each keyword names a list of values (numbers or strings). Needs a running kernel;
    pair it with :func:`sweep_animation` for the website. In a headless build (the
    website's, which sets ``SCRATCHVISION_STATIC=1``) nobody can move a slider, so it
    checks its arguments and draws nothing: no widget state lands on the page.
    """
    if not callable(draw):
        raise TypeError(f"explore: draw must be a function, got {type(draw).__name__}")
    if not sliders:
        raise ValueError(
            "explore: give at least one slider, e.g. explore(draw, sigma=[1, 2, 3])"
        )
    options = {name: list(values) for name, values in sliders.items()}
    for name, values in options.items():
        if not values:
            raise ValueError(f"explore: slider {name!r} must list at least one value")
    if os.environ.get("SCRATCHVISION_STATIC") == "1":
        return
    _slider_ui(draw, figsize, options)


def _slider_ui(
    draw: Callable[..., None], figsize: tuple[float, float], options: dict[str, list]
) -> None:
    import ipywidgets as widgets
    from IPython.display import display

    controls = {
        name: widgets.SelectionSlider(options=values, value=values[0], description=name)
        for name, values in options.items()
    }
    output = widgets.Output()

    def redraw(_: Any = None) -> None:
        with output:
            output.clear_output(wait=True)
            fig = plt.figure(figsize=figsize)
            draw(fig, **{name: c.value for name, c in controls.items()})
            plt.show()

    for control in controls.values():
        control.observe(redraw, names="value")
    display(widgets.VBox([*controls.values(), output]))
    redraw()

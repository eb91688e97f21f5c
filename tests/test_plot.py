"""Figures: every one titled and labelled; bad input named."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from scratchvision import plot  # noqa: E402
from scratchvision.train import History  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_image_grid_layout_and_titles():
    fig = plot.image_grid(
        torch.rand(5, 3, 8, 8), titles=list("abcde"), ncols=3, title="five"
    )
    assert fig._suptitle.get_text() == "five"
    assert len(fig.axes) == 6 and [a.get_title() for a in fig.axes[:5]] == list("abcde")
    plot.image_grid([torch.rand(8, 8), torch.rand(1, 8, 8)])  # gray images


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: plot.image_grid(torch.rand(8, 8)), "images must be a 3-D or 4-D"),
        (
            lambda: plot.image_grid(torch.rand(2, 3, 4, 4), titles=["a"]),
            "titles must have one entry",
        ),
        (lambda: plot.image_grid(torch.rand(2, 5, 4, 4)), "1 or 3 channels"),
        (lambda: plot.image_grid([]), "must not be empty"),
        (
            lambda: plot.draw_boxes(torch.rand(3, 8, 8), torch.rand(2, 3)),
            r"boxes must have shape \(K, 4\)",
        ),
        (
            lambda: plot.overlay_masks(torch.rand(3, 8, 8), torch.rand(8, 8)),
            "masks must be a 3-D",
        ),
        (lambda: plot.plot_curves({}), "at least one series"),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_boxes_masks_heatmap_are_labelled():
    image = torch.rand(3, 16, 16)
    for ax in (
        plot.draw_boxes(image, torch.tensor([[1.0, 2.0, 8.0, 9.0]]), labels=["star"]),
        plot.overlay_masks(image, torch.rand(2, 16, 16) > 0.5),
        plot.overlay_heatmap(image, torch.rand(4, 4)),
    ):
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def test_overlay_masks_colours_only_masked_pixels():
    image = torch.zeros(3, 4, 4)
    mask = torch.zeros(1, 4, 4, dtype=torch.bool)
    mask[0, 0, 0] = True
    ax = plot.overlay_masks(image, mask, alpha=1.0)
    array = ax.get_images()[0].get_array()
    assert array[0, 0].sum() > 0 and array[1:, 1:].sum() == 0


def test_plot_history_draws_losses_and_metrics():
    history = History(
        epochs=[
            {"epoch": e, "train_loss": 1 / e, "val_acc": e / 3, "seconds": 1.0}
            for e in (1, 2, 3)
        ]
    )
    fig = plot.plot_history(history)
    assert len(fig.axes) == 2
    assert fig.axes[0].get_ylabel() == "loss" and fig.axes[
        1
    ].get_legend_handles_labels()[1] == ["val_acc"]


def test_sweep_animation_has_one_frame_per_value():
    seen = []

    def draw(fig, value):
        seen.append(value)
        ax = fig.add_subplot()
        ax.plot([0, value])
        ax.set_title(f"value {value}")

    html = plot.sweep_animation(draw, [1, 2, 3], title="sweep")
    assert "<script" in html.data and html.data.count("data:image/png;base64") >= 3
    assert {1, 2, 3} <= set(seen)


def test_explore_builds_one_slider_per_keyword(monkeypatch):
    pytest.importorskip("ipywidgets")
    import IPython.display

    shown, calls = [], []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    monkeypatch.delenv("SCRATCHVISION_STATIC", raising=False)
    result = plot.explore(
        lambda fig, a, b: calls.append((a, b)), a=[1, 2], b=["x", "y"]
    )
    assert result is None, "explore displays its UI; returning it would show it twice"
    sliders = shown[0].children[:-1]
    assert [s.description for s in sliders] == ["a", "b"] and calls[-1] == (1, "x")
    sliders[0].value = 2
    assert calls[-1] == (2, "x")
    with pytest.raises(ValueError, match="at least one slider"):
        plot.explore(lambda fig: None)


def test_explore_draws_nothing_in_a_static_build(monkeypatch):
    import IPython.display

    shown, calls = [], []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    monkeypatch.setenv("SCRATCHVISION_STATIC", "1")
    plot.explore(lambda fig, a: calls.append(a), a=[1, 2])
    assert shown == [] and calls == [], "a headless build must not create widgets"
    with pytest.raises(ValueError, match="slider 'a'"):
        plot.explore(lambda fig, a: None, a=[])
    with pytest.raises(TypeError, match="draw must be a function"):
        plot.explore(5, a=[1])

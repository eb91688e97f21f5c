"""Named ShapeWorld presets, from a warm-up to a detection benchmark.

Each preset is a plain function; keyword arguments override its settings, e.g.
``shapeworld_detect(size=96)``. Difficulty comes from small objects, rotation,
stretch, colour jitter, pixel noise, clutter and textured backgrounds; the
``classify`` preset is tuned so that a small CNN learns it well but not perfectly.
"""

from __future__ import annotations

from scratchvision.data.shapeworld import ShapeWorld


def shapeworld_easy(**overrides) -> ShapeWorld:
    """One large upright object on a flat background: no jitter, noise or clutter."""
    settings = dict(
        n_objects=(1, 1),
        scale=(0.25, 0.4),
        rotation=0.0,
        aspect=1.0,
        colour_jitter=0.0,
        noise=0.0,
        distractors=(0, 0),
        background=("flat",),
    )
    return ShapeWorld(**{**settings, **overrides})


def shapeworld_classify(**overrides) -> ShapeWorld:
    """One object of any size, pose and colour on any background, with clutter."""
    settings = dict(
        n_objects=(1, 1),
        scale=(0.12, 0.4),
        rotation=180.0,
        aspect=1.3,
        colour_jitter=0.08,
        noise=0.05,
        distractors=(0, 3),
    )
    return ShapeWorld(**{**settings, **overrides})


def shapeworld_detect(**overrides) -> ShapeWorld:
    """1-4 objects that may occlude each other, on any background, with clutter."""
    settings = dict(
        n_objects=(1, 4),
        scale=(0.1, 0.3),
        rotation=180.0,
        aspect=1.3,
        colour_jitter=0.06,
        noise=0.03,
        distractors=(0, 3),
    )
    return ShapeWorld(**{**settings, **overrides})

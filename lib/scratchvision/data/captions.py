"""Words for ShapeWorld objects: size, position, spatial relation, and a caption.

Captions are generated from the scene's attributes by a tiny grammar, so a
captioning or vision-language model has an exact ground truth:

* one object: ``"a small red triangle in the top left"``
* two objects: ``"a small red triangle left of a large blue star"``
* more: the first two as above, then ``", and a medium green circle in the centre"``
  for each further object (objects come nearest first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scratchvision.validate import Checker

SIZES = ("small", "medium", "large")


@dataclass(frozen=True)
class ObjectInfo:
    """Attributes of one object in a scene.

    Attributes:
        shape: class name, e.g. ``"star"``.
        colour: colour name, e.g. ``"red"``.
        size: ``"small"``, ``"medium"`` or ``"large"`` (thirds of the world's scale
            range).
        position: ``(x, y)`` of the shape's centre in pixels.
        depth: distance from the camera (larger is farther).
        visible: fraction of the object's area left visible by nearer objects.
    """

    shape: str
    colour: str
    size: str
    position: tuple[float, float]
    depth: float
    visible: float = 1.0

    def __post_init__(self):
        _check_object(self)


def size_word(scale: float, low: float, high: float) -> str:
    """``small`` / ``medium`` / ``large``: lower, middle, upper third of [low, high]."""
    if high <= low:
        return "medium"
    third = int(3 * (scale - low) / (high - low))
    return SIZES[min(max(third, 0), 2)]


def where_phrase(position: tuple[float, float], image_size: int) -> str:
    """Absolute position on a 3 × 3 grid, e.g. ``"in the top left"``.

    The middle cell is ``"in the centre"``.
    """
    col = min(int(3 * position[0] / image_size), 2)
    row = min(int(3 * position[1] / image_size), 2)
    if (row, col) == (1, 1):
        return "in the centre"
    return (
        f"in the {('top', 'middle', 'bottom')[row]} {('left', 'centre', 'right')[col]}"
    )


def relation(a: ObjectInfo, b: ObjectInfo) -> str:
    """Where ``a`` is relative to ``b`` along the axis where they differ most."""
    dx = a.position[0] - b.position[0]
    dy = a.position[1] - b.position[1]  # image y grows downwards
    if abs(dx) >= abs(dy):
        return "left of" if dx < 0 else "right of"
    return "above" if dy < 0 else "below"


def describe(obj: ObjectInfo) -> str:
    return f"a {obj.size} {obj.colour} {obj.shape}"


def caption(objects: Sequence[ObjectInfo], image_size: int) -> str:
    """A one-line description of a scene; ``""`` for an empty scene."""
    if not objects:
        return ""
    first = describe(objects[0])
    if len(objects) == 1:
        return f"{first} {where_phrase(objects[0].position, image_size)}"
    text = f"{first} {relation(objects[0], objects[1])} {describe(objects[1])}"
    for obj in objects[2:]:
        text += f", and {describe(obj)} {where_phrase(obj.position, image_size)}"
    return text


def _check_object(obj: ObjectInfo) -> None:
    check = Checker("ObjectInfo")
    for name in ("shape", "colour"):
        value = getattr(obj, name)
        ok = isinstance(value, str) and value != ""
        check.that(ok, f"{name} must be a non-empty str, got {value!r}")
    check.choice("size", obj.size, SIZES)
    position = obj.position
    check.that(
        isinstance(position, (tuple, list)) and len(position) == 2,
        f"position must be an (x, y) pair, got {position!r}",
    )
    for value in position:
        check.range("position", value)
    check.range("depth", obj.depth, low=0)
    check.range("visible", obj.visible, low=0, high=1)

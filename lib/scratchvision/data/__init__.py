"""The course's data: ShapeWorld scenes, their datasets, natural photos, real datasets.

Everything here works offline; only :func:`cifar10` with ``download=True`` uses the
network, and only when the reader asks for it. Importing the package is cheap:
torchvision, scikit-learn and scikit-image load inside the functions that need them.
"""

from scratchvision.data.backgrounds import BACKGROUNDS
from scratchvision.data.captions import ObjectInfo
from scratchvision.data.datasets import (
    SPLIT_SIZE,
    SPLITS,
    ShapeClassification,
    ShapeDetection,
    ShapeSegmentation,
    ShapeUnlabeled,
    collate_detection,
)
from scratchvision.data.digits import digits_dataset
from scratchvision.data.natural import (
    PatchSampler,
    natural_images,
    natural_split,
    sample_patches,
)
from scratchvision.data.presets import (
    shapeworld_classify,
    shapeworld_detect,
    shapeworld_easy,
)
from scratchvision.data.real import cifar10
from scratchvision.data.scene import FAR, Scene
from scratchvision.data.shapes import COLOURS, SHAPES
from scratchvision.data.shapeworld import ShapeWorld, benchmark_scenes
from scratchvision.data.stream import classification_stream, dihedral, render_scenes

__all__ = [
    "BACKGROUNDS",
    "COLOURS",
    "FAR",
    "SHAPES",
    "SPLITS",
    "SPLIT_SIZE",
    "ObjectInfo",
    "PatchSampler",
    "Scene",
    "ShapeClassification",
    "ShapeDetection",
    "ShapeSegmentation",
    "ShapeUnlabeled",
    "ShapeWorld",
    "benchmark_scenes",
    "cifar10",
    "classification_stream",
    "digits_dataset",
    "collate_detection",
    "dihedral",
    "natural_images",
    "natural_split",
    "render_scenes",
    "sample_patches",
    "shapeworld_classify",
    "shapeworld_detect",
    "shapeworld_easy",
]

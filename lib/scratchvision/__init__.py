"""The library behind the Scratch Vision course: computer vision from scratch.

Chapters map onto sub-packages: ``backbones`` (1, CNN & ViT), ``selfsup`` (2),
``explain`` and ``augment`` (3), ``detect`` and ``segment`` (4), ``imaging`` (5);
``ops`` holds the pure functions they share and ``data`` the synthetic ShapeWorld.
Importing the package is cheap and never touches the network.
"""

__version__ = "0.1.0"

"""The library behind the Scratch Vision course: computer vision from scratch.

One room per kind of code (CONTRIBUTING.md, "Rooms", has the map and its rules):

* shared: ``ops`` (pure tensor functions: conv, pool, attention, patches, windows),
  ``blocks`` (modules used by more than one model), ``data`` (ShapeWorld, bundled
  photos), ``train``, ``metrics``, ``measure`` (FLOPs, one timer), ``plot``,
  ``show``, ``zoo`` (cards, checkpoints, recipes), ``checks`` (exercise checkers, one
  module per chapter), ``kernels`` (optional GPU kernels);
* chapters: ``backbones`` (1, CNN & ViT); ``selfsup`` (2); ``explain`` and
  ``augment`` (3); ``detect`` and ``segment`` (4, planned);
  ``imaging`` and ``video`` (5, ``video`` planned).

A chapter room imports only the shared rooms. Importing the package is cheap and never
touches the network.
"""

__version__ = "0.1.0"

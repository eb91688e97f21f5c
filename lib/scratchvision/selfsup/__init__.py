"""Chapter 2: self-supervised learning, features from images without labels.

* ``masking``: :func:`random_masking`, MAE's per-sample uniform shuffle;
* ``mae``: :class:`MAE` (the course ViT as encoder, a light decoder) and
  :func:`mae_loss` (He et al. 2022);
* ``dino``: :func:`dino_loss`, :func:`update_center`, :func:`collapse_diagnostics`,
  :class:`DINOHead`, :class:`DINONet`, :func:`teacher_of` (Caron et al. 2021); the
  teacher follows its student by ``train.ema_update``;
* ``views``: :func:`multi_crop`, DINO's global and local views, from
  ``scratchvision.augment``;
* ``recipes``: the zoo recipes that pre-train them on ShapeWorld.

The features are judged by ``metrics.knn_accuracy`` and ``metrics.linear_probe``.
State is explicit: a DINO centre and an EMA teacher are arguments and return values.
Taught in ``notebooks/02_self_supervised/``.
"""

from scratchvision.selfsup.mae import MAE, mae_loss
from scratchvision.selfsup.masking import random_masking

__all__ = [
    "MAE",
    "mae_loss",
    "random_masking",
]

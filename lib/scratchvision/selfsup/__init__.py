"""Chapter 2: self-supervised learning, features from images without labels.

* ``masking``: :func:`random_masking`, MAE's per-sample uniform shuffle;
* ``mae``: :class:`MAE` (the course ViT as encoder, a light decoder) and
  :func:`mae_loss` (He et al. 2022);
* ``dino``: :func:`dino_loss`, :func:`update_center`, :func:`collapse_diagnostics`
  (Caron et al. 2021), pure functions with the center passed in and returned;
* ``dino_net``: :class:`DINOHead`, :class:`DINONet`, :func:`teacher_of`; the teacher
  follows its student by ``train.ema_update``;
* ``views``: :func:`multi_crop`, DINO's global and local views, built from
  ``scratchvision.augment``;
* ``attention_masks``: :func:`cls_attention`, :func:`attention_mask`,
  :func:`attention_iou`, DINO's emerging
  segmentation;
* ``recipes``, ``recipes_dino``: the zoo recipes that pre-train on ShapeWorld.

The features are judged by ``metrics.knn_accuracy`` and ``metrics.linear_probe``, the
attention masks by ``metrics.mask_iou``. Taught in ``notebooks/02_self_supervised/``.
"""

from scratchvision.selfsup.attention_masks import (
    attention_iou,
    attention_mask,
    cls_attention,
)
from scratchvision.selfsup.dino import collapse_diagnostics, dino_loss, update_center
from scratchvision.selfsup.dino_net import DINOHead, DINONet, teacher_of
from scratchvision.selfsup.mae import MAE, mae_loss
from scratchvision.selfsup.masking import random_masking
from scratchvision.selfsup.views import multi_crop

__all__ = [
    "DINOHead",
    "DINONet",
    "MAE",
    "attention_iou",
    "attention_mask",
    "cls_attention",
    "collapse_diagnostics",
    "dino_loss",
    "mae_loss",
    "multi_crop",
    "random_masking",
    "teacher_of",
    "update_center",
]

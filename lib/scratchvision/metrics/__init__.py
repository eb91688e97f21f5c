"""Every metric of the course, one kind per file.

* ``classification``: ``accuracy`` (chapter 1; ``train.fit`` logs it by default);
* ``fidelity``: ``psnr`` and ``ssim``, full-reference image quality (chapter 5);
* ``perceptual``: ``perceptual_distance`` (LPIPS-style) and ``detail_ratio``;
* ``probes``: ``knn_accuracy`` and ``linear_probe``, frozen features judged by what a
  simple classifier reads from them (chapter 2);
* ``segmentation``: ``mask_iou``, the Jaccard index of binary masks;
* ``features``: the feature networks a perceptual metric or loss compares images with
  (``random_features`` offline, ``ZooFeatures`` from a course-trained classifier,
  ``vgg16_features`` with ImageNet weights).

Later chapters add segmentation (mIoU, PQ), detection (AP), explanation (pointing game),
and video (warping error) metrics as files of their own. Every
metric refuses an empty batch and NaN inputs, which would otherwise average to NaN.
"""

from scratchvision.metrics.classification import accuracy
from scratchvision.metrics.features import ZooFeatures, random_features, vgg16_features
from scratchvision.metrics.fidelity import psnr, ssim
from scratchvision.metrics.perceptual import detail_ratio, perceptual_distance
from scratchvision.metrics.probes import knn_accuracy, linear_probe
from scratchvision.metrics.segmentation import mask_iou

__all__ = [
    "ZooFeatures",
    "accuracy",
    "detail_ratio",
    "knn_accuracy",
    "linear_probe",
    "mask_iou",
    "perceptual_distance",
    "psnr",
    "random_features",
    "ssim",
    "vgg16_features",
]

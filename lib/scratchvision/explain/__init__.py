"""Explaining classifiers (chapter 3): which pixels made the model say "circle"?

``cam`` (Zhou et al. 2016) and ``grad_cam`` (Selvaraju et al. 2017) weight the
channels of a model's CAM map, which every backbone sends through its ``cam_layer``
(:func:`scratchvision.blocks.record_features`): one code path for every model.
"""

from scratchvision.explain.cam import cam, grad_cam

__all__ = ["cam", "grad_cam"]

"""Chapter 5's zoo recipes, by the names the cards use.

A card names its recipe, evaluator and pair function by import path, e.g.
``"recipe": "scratchvision.imaging.recipes:train_restorer"``; ``zoo.resolve`` imports
this module and takes the name. The code lives in files of one concept each:

* ``pairs``: pair functions, the forward models of the camera (``noise_pair``, ...);
* ``shake``: camera-shake pairs and their PSF (``motion_blur_pair``, ``shake``, ...);
* ``training``: the endless ``PairStream`` and ``train_restorer``;
* ``srgan``: ``train_srgan`` and its step, content plus adversarial loss;
* ``heldout``: the fixed held-out test set, ``restore``, ``eval_restorer``, ``eval_sr``;
* ``benchmark``: quality and speed side by side (``benchmark_methods``, BM3D).
"""

from scratchvision.imaging.benchmark import benchmark_methods, denoise_benchmark
from scratchvision.imaging.heldout import (
    crop_scores,
    eval_restorer,
    eval_sr,
    final,
    heldout_crops,
    heldout_pairs,
    restore,
    sr_crop_scores,
)
from scratchvision.imaging.pairs import (
    Pair,
    bicubic_pair,
    noise_pair,
    poisson_noise_pair,
    realistic_pair,
    resolve_pair,
)
from scratchvision.imaging.shake import motion_blur_pair, shake, trajectory_psf
from scratchvision.imaging.srgan import train_srgan
from scratchvision.imaging.training import (
    PairStream,
    restoration_loss,
    train_restorer,
)

__all__ = [
    "Pair",
    "PairStream",
    "benchmark_methods",
    "crop_scores",
    "bicubic_pair",
    "denoise_benchmark",
    "eval_restorer",
    "eval_sr",
    "final",
    "heldout_crops",
    "heldout_pairs",
    "motion_blur_pair",
    "noise_pair",
    "poisson_noise_pair",
    "realistic_pair",
    "resolve_pair",
    "restoration_loss",
    "restore",
    "shake",
    "sr_crop_scores",
    "train_restorer",
    "train_srgan",
    "trajectory_psf",
]

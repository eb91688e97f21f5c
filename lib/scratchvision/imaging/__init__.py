"""Chapter 5, computational imaging: degradations, baselines, restoration nets, losses.

Supervised pairs for restoration are hard to collect, so the chapter *simulates* them:
``degrade``, ``blur`` and ``motion`` make noisy, low-resolution and blurred versions
of clean natural images, ``pairs`` and ``shake`` turn them into training pairs;
``unet`` and ``restorers`` learn to undo them (``training``, ``srgan``); ``classical``
(filters, BM3D, Wiener, Richardson–Lucy) and the metrics of ``scratchvision.metrics``
(PSNR, SSIM, a perceptual distance) are the yardsticks, applied on held-out photos by
``heldout``; ``losses`` are the objectives compared in lesson 5.4. ``recipes`` lists
the zoo's recipes by the names the cards use. Images are ``Tensor[B, C, H, W]`` or
``Tensor[C, H, W]`` in ``[0, 1]``; noise levels are on the 0–255 scale, as in the
literature.
"""

# The function ``blur.blur`` is not re-exported: it would hide the ``blur`` module.
from scratchvision.imaging.blur import gaussian_kernel, motion_kernel
from scratchvision.imaging.classical import (
    bm3d_denoise,
    gaussian_filter,
    median_filter,
    richardson_lucy,
    wiener_deconvolution,
)
from scratchvision.imaging.degrade import (
    add_gaussian_noise,
    add_poisson_gaussian_noise,
    bicubic_downsample,
    bicubic_upsample,
    jpeg,
    realistic_sr_degradation,
)
from scratchvision.imaging.discriminator import PatchGAN, patchgan_small
from scratchvision.imaging.losses import (
    gan_d_loss,
    gan_g_loss,
    l1_loss,
    l2_loss,
    multiscale_loss,
    perceptual_loss,
    total_variation,
)
from scratchvision.imaging.motion import (
    average_frames,
    frames_from_motion,
    random_trajectory,
)
from scratchvision.imaging.restorers import (
    PixelShuffleSR,
    ResidualDenoiser,
    denoiser_small,
    pixel_shuffle,
    pixel_unshuffle,
    sr_small,
)
from scratchvision.imaging.unet import (
    MultiScaleUNet,
    UNet,
    image_pyramid,
    multiscale_unet_small,
    unet_small,
)

__all__ = [
    "average_frames",
    "frames_from_motion",
    "gaussian_kernel",
    "motion_kernel",
    "random_trajectory",
    "bm3d_denoise",
    "gaussian_filter",
    "median_filter",
    "richardson_lucy",
    "wiener_deconvolution",
    "add_gaussian_noise",
    "add_poisson_gaussian_noise",
    "bicubic_downsample",
    "bicubic_upsample",
    "jpeg",
    "realistic_sr_degradation",
    "PatchGAN",
    "patchgan_small",
    "gan_d_loss",
    "gan_g_loss",
    "l1_loss",
    "l2_loss",
    "multiscale_loss",
    "perceptual_loss",
    "total_variation",
    "PixelShuffleSR",
    "ResidualDenoiser",
    "denoiser_small",
    "pixel_shuffle",
    "pixel_unshuffle",
    "sr_small",
    "MultiScaleUNet",
    "UNet",
    "image_pyramid",
    "multiscale_unet_small",
    "unet_small",
]

"""Bad-input cases for the rooms imaging, metrics, measure and train.

See ``tests/contract.py`` for the harness. Images, kernels and logits are float data:
a NaN entry must be refused (it passes every range check and poisons every mean). An
empty batch is refused wherever it would average to NaN (losses, metrics) or crash
inside NumPy (the classical restorers); a degradation of no images is no images.
"""

from __future__ import annotations

import torch
from contract import (
    EMPTY,
    EXTRA_DIM,
    IMAGE,
    INF,
    INTEGER_DTYPE,
    MISSING_DIM,
    NAN,
    NONNEGATIVE,
    NOT_TENSOR,
    POSITIVE,
    PROBABILITY,
    SIZE,
    TENSOR,
    WRONG_CHANNELS,
    Case,
    Mutation,
)
from scratchvision import imaging, measure, metrics, train
from scratchvision.imaging.blur import gaussian_kernel
from torch import nn

NAN_F, INF_F = float("nan"), float("inf")
FINITE = (NAN_F, INF_F)  # any finite float: angles
NONNEGATIVE_F = (-1.0, NAN_F, INF_F)  # a float >= 0: noise levels, speeds
TWO_DIMS = Mutation("2-D", lambda t: t[0, 0])  # for (B, C, H, W) or (C, H, W) inputs
TOO_MANY = Mutation("5-D", lambda t: t[None])
CROP_H = Mutation("height cropped", lambda t: t[..., :-1, :])
SHRINK = Mutation("smaller than the other", lambda t: t[..., 1:, 1:])
FLOAT_LABELS = Mutation("float labels", lambda t: t.float())
SHORT = Mutation("one row short", lambda t: t[1:])
#: an image that may also be a single (C, H, W) one: 5-D and 2-D are both wrong
EITHER = (NOT_TENSOR, TOO_MANY, TWO_DIMS, INTEGER_DTYPE, NAN)
SCALE = (1, 5, 2.5, "2")  # super-resolution factors are 2, 3 or 4
NOT_CALLABLE = (3, "f")


def _rand(*shape, seed=0):
    return torch.rand(*shape, generator=torch.Generator().manual_seed(seed))


def _images(c=3, size=16, b=2, seed=0):
    return _rand(b, c, size, size, seed=seed)


def case(name, call, good, **bad):
    """A case whose message words are the argument names (the usual case)."""
    return Case(name, call, good, bad)


# ---- imaging: blur kernels and camera motion ---------------------------------

IMAGING = [
    case(
        "imaging.gaussian_kernel",
        imaging.gaussian_kernel,
        lambda: dict(size=5, sigma=1.0, angle=0.0),
        size=(*SIZE, 4),
        sigma=(*POSITIVE, (1.0,), "1"),
        angle=FINITE,
        dtype=(torch.int64,),
    ),
    case(
        "imaging.motion_kernel",
        imaging.motion_kernel,
        lambda: dict(length=3.0, angle=30.0),
        length=NONNEGATIVE_F,
        angle=FINITE,
        size=(*SIZE, 4),
    ),
    case(
        "imaging.random_trajectory",
        imaging.random_trajectory,
        lambda: dict(n_frames=5, speed=1.0, jitter=0.2),
        n_frames=SIZE,
        speed=NONNEGATIVE_F,
        jitter=NONNEGATIVE_F,
    ),
    case(
        "imaging.frames_from_motion",
        imaging.frames_from_motion,
        lambda: dict(
            image=_rand(3, 16, 16),
            n_frames=3,
            crop_size=8,
            trajectory=torch.zeros(3, 2),
        ),
        image=(*IMAGE, INTEGER_DTYPE),
        n_frames=(*SIZE, 2),
        crop_size=(0, -1, 99, 2.5, "8"),
        trajectory=(NOT_TENSOR, SHORT, EXTRA_DIM, NAN),
    ),
    case(
        "imaging.average_frames",
        imaging.average_frames,
        lambda: dict(frames=_rand(5, 3, 8, 8), gamma=2.2),
        frames=(NOT_TENSOR, TWO_DIMS, Mutation("6-D", lambda t: t[None, None]), NAN),
        gamma=(0.0, -1.0, NAN_F, INF_F),
    ),
]
IMAGING[-1].bad["frames"] += (EMPTY,)  # no frames: a mean of nothing

# ---- imaging: degradations ---------------------------------------------------

IMAGING += [
    case(
        "imaging.add_gaussian_noise",
        imaging.add_gaussian_noise,
        lambda: dict(img=_images(), sigma=25),
        img=EITHER,
        sigma=(*NONNEGATIVE_F, "25"),
    ),
    case(
        "imaging.add_poisson_gaussian_noise",
        imaging.add_poisson_gaussian_noise,
        lambda: dict(img=_images(), photons=100.0, read_sigma=2.0),
        img=EITHER,
        photons=POSITIVE,
        read_sigma=NONNEGATIVE_F,
    ),
    case(
        "imaging.bicubic_downsample",
        imaging.bicubic_downsample,
        lambda: dict(img=_images(), scale=2),
        img=(*EITHER, CROP_H),
        scale=SCALE,
    ),
    case(
        "imaging.bicubic_upsample",
        imaging.bicubic_upsample,
        lambda: dict(img=_images(), scale=2),
        img=EITHER,
        scale=SCALE,
    ),
    case(
        "imaging.jpeg",
        imaging.jpeg,
        lambda: dict(img=_images(), quality=75),
        img=(*EITHER, WRONG_CHANNELS),
        quality=(0, 101, 2.5, "75"),
    ),
    case(
        "imaging.realistic_sr_degradation",
        imaging.realistic_sr_degradation,
        lambda: dict(img=_images(size=24), scale=2),
        img=(*EITHER, CROP_H, WRONG_CHANNELS),
        scale=SCALE,
    ),
]

# ---- imaging: classical restorers --------------------------------------------


def _psf():
    return gaussian_kernel(5, 1.0)


_BAD_PSF = (NOT_TENSOR, MISSING_DIM, EXTRA_DIM, NAN, Mutation("even", lambda k: k[1:]))

IMAGING += [
    case(
        "imaging.gaussian_filter",
        imaging.gaussian_filter,
        lambda: dict(img=_images(), sigma=1.0),
        img=EITHER,
        sigma=POSITIVE,
    ),
    case(
        "imaging.median_filter",
        imaging.median_filter,
        lambda: dict(img=_images(), size=3),
        img=EITHER,
        size=(*SIZE, 2, 99),
    ),
    case(
        "imaging.bm3d_denoise",
        imaging.bm3d_denoise,
        lambda: dict(img=_images(c=1), sigma=25.0),
        img=(*EITHER, EMPTY),
        sigma=NONNEGATIVE_F,
    ),
    case(
        "imaging.wiener_deconvolution",
        imaging.wiener_deconvolution,
        lambda: dict(img=_images(), kernel=_psf(), balance=0.01),
        img=(*EITHER, EMPTY),
        kernel=_BAD_PSF,
        balance=POSITIVE,
    ),
    case(
        "imaging.richardson_lucy",
        imaging.richardson_lucy,
        lambda: dict(img=_images(), kernel=_psf(), iterations=3),
        img=(*EITHER, EMPTY),
        kernel=_BAD_PSF,
        iterations=SIZE,
    ),
]

# ---- imaging: losses ---------------------------------------------------------

_PAIR_LOSS = dict(
    pred=(NOT_TENSOR, NAN, EMPTY, INTEGER_DTYPE),
    target=(NOT_TENSOR, NAN, EMPTY, SHRINK),
)
_LOGITS = (NOT_TENSOR, NAN, EMPTY, INTEGER_DTYPE)


def _pair_good():
    return dict(pred=_images(seed=1), target=_images(seed=2))


IMAGING += [
    Case("imaging.l1_loss", imaging.l1_loss, _pair_good, dict(_PAIR_LOSS)),
    Case("imaging.l2_loss", imaging.l2_loss, _pair_good, dict(_PAIR_LOSS)),
    case(
        "imaging.perceptual_loss",
        imaging.perceptual_loss,
        lambda: dict(**_pair_good(), features=lambda x: [x]),
        **_PAIR_LOSS,
        features=(None, *NOT_CALLABLE),
    ),
    case(
        "imaging.gan_d_loss",
        imaging.gan_d_loss,
        lambda: dict(real_logits=_rand(2, 1, 4, 4), fake_logits=_rand(2, 1, 4, 4)),
        real_logits=_LOGITS,
        fake_logits=_LOGITS,
    ),
    case(
        "imaging.gan_g_loss",
        imaging.gan_g_loss,
        lambda: dict(fake_logits=_rand(2, 1, 4, 4)),
        fake_logits=_LOGITS,
    ),
    case(
        "imaging.multiscale_loss",
        imaging.multiscale_loss,
        lambda: dict(preds=[_images(size=8), _images(size=16)], target=_images()),
        preds=("x", [], Mutation("wrong sizes", lambda p: p[::-1])),
        target=(*TENSOR, NAN, EMPTY),
        loss=NOT_CALLABLE,
    ),
    case(
        "imaging.total_variation",
        imaging.total_variation,
        lambda: dict(image=_images()),
        image=(*TENSOR, NAN, EMPTY, Mutation("one row", lambda t: t[..., :1, :])),
    ),
]

# ---- imaging: networks -------------------------------------------------------


def _forward(name, build, argument, channels=3, size=16, extra=()):
    def call(**kwargs):
        return build()(kwargs[argument])

    return Case(
        name,
        call,
        lambda: {argument: _images(c=channels, size=size)},
        {argument: (*TENSOR, NAN, INTEGER_DTYPE, WRONG_CHANNELS, *extra)},
    )


IMAGING += [
    case(
        "imaging.PatchGAN",
        imaging.PatchGAN,
        lambda: dict(in_channels=3, width=8, n_layers=2),
        in_channels=SIZE,
        width=SIZE,
        n_layers=SIZE,
    ),
    _forward(
        "imaging.PatchGAN.forward",
        lambda: imaging.PatchGAN(width=4, n_layers=1),
        "x",
        extra=(Mutation("too small", lambda t: t[..., :3, :3]),),
    ),
    case("imaging.patchgan_small", imaging.patchgan_small, dict, in_channels=SIZE),
    case(
        "imaging.PixelShuffleSR",
        imaging.PixelShuffleSR,
        lambda: dict(scale=2, channels=3, width=4, n_blocks=1),
        scale=SCALE,
        channels=SIZE,
        width=SIZE,
        n_blocks=NONNEGATIVE,
    ),
    _forward(
        "imaging.PixelShuffleSR.forward",
        lambda: imaging.PixelShuffleSR(width=4, n_blocks=1),
        "low_res",
    ),
    case(
        "imaging.ResidualDenoiser",
        imaging.ResidualDenoiser,
        lambda: dict(channels=3, width=4, depth=3),
        channels=SIZE,
        width=SIZE,
        depth=(*SIZE, 1),
    ),
    _forward(
        "imaging.ResidualDenoiser.forward",
        lambda: imaging.ResidualDenoiser(width=4, depth=2),
        "noisy",
    ),
    case("imaging.denoiser_small", imaging.denoiser_small, dict),
    case("imaging.sr_small", imaging.sr_small, dict, scale=SCALE),
    case(
        "imaging.pixel_shuffle",
        imaging.pixel_shuffle,
        lambda: dict(x=_images(c=8), r=2),
        x=(*TENSOR, Mutation("channels not divisible", lambda t: t[:, 1:])),
        r=SIZE,
    ),
    case(
        "imaging.pixel_unshuffle",
        imaging.pixel_unshuffle,
        lambda: dict(x=_images(), r=2),
        x=(*TENSOR, CROP_H),
        r=SIZE,
    ),
    case(
        "imaging.UNet",
        imaging.UNet,
        lambda: dict(in_channels=3, out_channels=3, widths=(4, 8)),
        in_channels=SIZE,
        out_channels=SIZE,
        widths=((), (0, 4), "4"),
    ),
    _forward(
        "imaging.UNet.forward",
        lambda: imaging.UNet(in_channels=3, out_channels=3, widths=(4, 8)),
        "x",
    ),
    case(
        "imaging.MultiScaleUNet",
        imaging.MultiScaleUNet,
        lambda: dict(channels=3, widths=(4,), n_scales=2),
        channels=SIZE,
        n_scales=SIZE,
    ),
    Case(
        "imaging.MultiScaleUNet.forward",
        lambda x: imaging.MultiScaleUNet(widths=(4,), n_scales=2)(x),
        lambda: dict(x=_images()),
        dict(x=(*TENSOR, WRONG_CHANNELS, INTEGER_DTYPE)),
    ),
    case(
        "imaging.image_pyramid",
        imaging.image_pyramid,
        lambda: dict(image=_images(), n_scales=2),
        image=TENSOR,
        n_scales=SIZE,
    ),
    case("imaging.unet_small", imaging.unet_small, dict),
    case("imaging.multiscale_unet_small", imaging.multiscale_unet_small, dict),
]

# ---- metrics -----------------------------------------------------------------

_IMAGE_PAIR = dict(
    pred=(*EITHER, EMPTY),
    target=(*EITHER, EMPTY, SHRINK),
)


def _metric_good(**extra):
    return lambda: dict(pred=_images(seed=1), target=_images(seed=2), **extra)


METRICS = [
    case(
        "metrics.accuracy",
        metrics.accuracy,
        lambda: dict(logits=_rand(4, 3), targets=torch.tensor([0, 1, 2, 0])),
        logits=(*TENSOR, NAN, EMPTY),
        targets=(NOT_TENSOR, EXTRA_DIM, FLOAT_LABELS, SHORT),
    ),
    case(
        "metrics.psnr",
        metrics.psnr,
        _metric_good(),
        **_IMAGE_PAIR,
        data_range=POSITIVE,
        reduction=("sum", None),
    ),
    case(
        "metrics.ssim",
        metrics.ssim,
        _metric_good(),
        pred=(*_IMAGE_PAIR["pred"], Mutation("8x8", lambda t: t[..., :8, :8])),
        target=_IMAGE_PAIR["target"],
        data_range=POSITIVE,
        reduction=("sum",),
    ),
    case(
        "metrics.perceptual_distance",
        metrics.perceptual_distance,
        _metric_good(),
        **_IMAGE_PAIR,
        features=NOT_CALLABLE,
        reduction=("sum",),
    ),
    case(
        "metrics.detail_ratio",
        metrics.detail_ratio,
        _metric_good(),
        **_IMAGE_PAIR,
        sigma=POSITIVE,
    ),
    case(
        "metrics.random_features",
        metrics.random_features,
        lambda: dict(img=_images(), widths=(4, 8), seed=0),
        img=(*TENSOR, NAN, EMPTY, INTEGER_DTYPE),
        widths=((), (0,), (2.5,), "16"),
        seed=(-1, 2.5),
    ),
    case(
        "metrics.ZooFeatures",
        lambda img, n_stages: metrics.ZooFeatures(n_stages=n_stages)(img),
        lambda: dict(img=_images(), n_stages=2),
        img=(*TENSOR, NAN, WRONG_CHANNELS),
        n_stages=(0, 2.5, 99),
    ),
    case(
        "metrics.vgg16_features",
        metrics.vgg16_features,
        lambda: dict(weights=None),
        weights=("DEFAULT", 3),
        download=("yes", 1),
    ),
]

# ---- measure -----------------------------------------------------------------


def _model_good():
    return dict(model=nn.Linear(4, 2), inputs=(1, 4))


_SHAPE = ("1x4", (1, 0), (1, -4), (1, 2.5), 3)

MEASURE = [
    case(
        "measure.mean_interval",
        measure.mean_interval,
        lambda: dict(values=torch.tensor([1.0, 2.0, 4.0]), level=0.95),
        values=(NAN, INF, "12", Mutation("one value", lambda t: t[:1])),
        level=(0.0, 1.0, 1.5, float("nan")),
    ),
    case(
        "measure.paired_interval",
        measure.paired_interval,
        lambda: dict(a=torch.tensor([1.0, 2.0, 4.0]), b=torch.tensor([0.0, 2.0, 3.0])),
        a=(NAN, "12"),
        b=(NAN, Mutation("other length", lambda t: t[:2])),
    ),
    case(
        "measure.accuracy_interval",
        measure.accuracy_interval,
        lambda: dict(accuracy=0.9, n=100, level=0.95),
        accuracy=(-0.1, 1.5, float("nan")),
        n=SIZE,
        level=(1.5, float("nan")),
    ),
    case(
        "measure.count_flops",
        measure.count_flops,
        _model_good,
        model=(3, "net"),
        inputs=_SHAPE,
    ),
    case(
        "measure.flops_by_module",
        measure.flops_by_module,
        _model_good,
        model=(3, "net"),
        inputs=_SHAPE,
    ),
    case(
        "measure.count_params",
        measure.count_params,
        lambda: dict(model=nn.Linear(4, 2)),
        model=(3, None),
    ),
    case(
        "measure.matmul_flops",
        measure.matmul_flops,
        lambda: dict(a_shape=(4, 5), b_shape=(5, 6)),
        a_shape=((5,), (4, 6), (4, -5), "4x5"),
        b_shape=((5,), (6, 6), (5, 0), 3),
    ),
    case(
        "measure.module_flops",
        measure.module_flops,
        lambda: dict(
            module=nn.Linear(4, 2),
            inputs=(torch.zeros(1, 4),),
            output=torch.zeros(1, 2),
        ),
        module=(3, None),
        inputs=(Mutation("a list", list), Mutation("a tensor", lambda t: t[0])),
    ),
    case(
        "measure.summary_table",
        measure.summary_table,
        lambda: dict(models={"linear": nn.Linear(4, 2)}, input_shape=(1, 4)),
        models=({}, {"linear": 3}, 3),
        input_shape=((1, 0), "1x4"),
    ),
    case(
        "measure.format_table",
        measure.format_table,
        lambda: dict(rows=[{"name": "a", "params": 10, "flops": 20}]),
        rows=("rows", [{"name": "a"}], 3),
    ),
    case(
        "measure.timed",
        measure.timed,
        lambda: dict(fn=lambda: None, repeats=2, warmup=1),
        fn=NOT_CALLABLE,
        repeats=SIZE,
        warmup=NONNEGATIVE,
    ),
]

# ---- train -------------------------------------------------------------------


def _batch():
    x = _rand(6, 5)
    return x, (x[:, 0] > 0.5).long()


def _fit_good():
    return dict(
        model=nn.Linear(5, 2),
        loader=[_batch()],
        epochs=1,
        progress=False,
        verbose=False,
    )


TRAIN = [
    case(
        "train.fit",
        train.fit,
        _fit_good,
        model=(3, "model"),
        loader=(3, []),
        epochs=SIZE,
        steps=SIZE,
        log_every=SIZE,
        lr=(-1.0, NAN_F, INF_F),
        step=NOT_CALLABLE,
        after_step=NOT_CALLABLE,
        optimizer=("adam",),
        val_loader=(3, []),
    ),
    case(
        "train.evaluate",
        train.evaluate,
        lambda: dict(model=nn.Linear(5, 2), loader=[_batch()]),
        model=(3,),
        loader=(3, []),
        step=NOT_CALLABLE,
    ),
    case(
        "train.seed_everything",
        train.seed_everything,
        lambda: dict(seed=0),
        seed=(-1, 2.5, "3"),
    ),  # fmt: skip
    case(
        "train.supervised_step",
        train.supervised_step,
        lambda: dict(model=nn.Linear(5, 2), batch=_batch()),
        model=(3,),
        batch=(
            Mutation("inputs only", lambda b: b[0]),
            Mutation("1-tuple", lambda b: b[:1]),
        ),
        loss=NOT_CALLABLE,
        metrics=("acc", {"acc": 3}),
    ),
    case(
        "train.ema_update",
        train.ema_update,
        lambda: dict(teacher=nn.Linear(3, 2), student=nn.Linear(3, 2), momentum=0.9),
        teacher=(3, nn.Linear(3, 3)),
        student=(3, nn.Linear(2, 2)),
        momentum=PROBABILITY,
    ),
    case(
        "train.warmup_cosine",
        train.warmup_cosine,
        lambda: dict(
            optimizer=torch.optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1),
            steps=10,
            warmup=0.1,
        ),
        optimizer=(nn.Linear(2, 2), None),
        steps=(0, 2.5),
        warmup=PROBABILITY,
    ),
    case(
        "train.History.last",
        lambda key: train.History(epochs=[{"epoch": 1, "train_loss": 0.5}]).last(key),
        lambda: dict(key="train_loss"),
        key=("val_acc", 3),
    ),
]

CASES = [*IMAGING, *METRICS, *MEASURE, *TRAIN]

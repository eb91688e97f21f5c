"""The model zoo: small checkpoints committed inside the package, each with its card.

Heavy training is done once, by a recipe, and its result is committed so that every
notebook runs on a laptop CPU in its time budget. ``checkpoints/manifest.json`` holds
one *card* per checkpoint::

    "resnet20-shapeworld": {
      "description": "...",
      "builder":  "scratchvision.backbones.resnet:resnet_cifar",
      "kwargs":   {"depth": 20, "num_classes": 8},  # model = builder(**kwargs)
      "recipe":   "scratchvision.backbones.recipes:train_shapeworld",
      "recipe_kwargs": {"epochs": 10},            # log = recipe(model, **recipe_kwargs)
      "evaluate": "scratchvision.backbones.recipes:eval_shapeworld",
      "evaluate_kwargs": {},  # evaluate(model, **evaluate_kwargs) -> {"accuracy": ...}
      "file": "resnet20-shapeworld.pt", "sha256": "...", "bytes": 123,
      "floor": {"accuracy": 0.97},  # the least each metric must reach
      "metrics": {"accuracy": 0.91}, "train_seconds": 512.0, "machine": "...",
      "log": {"val_acc": [...]},    # whatever the recipe returned, e.g. training curves
      "command": "python -m scratchvision.zoo train resnet20-shapeworld"
    }

``load(name)`` rebuilds the model, checks the file's sha256 against the card and loads
it. ``python -m scratchvision.zoo train NAME`` re-runs the recipe and rewrites the card,
so every number on a card can be reproduced; a test re-evaluates each checkpoint against
its card. ``python -m scratchvision.zoo rescore NAME`` re-measures a checkpoint when its
card's test set changes (the weights stay, and so do its training time and curves).

A card's ``floor`` is the quality its lesson needs: ``{"accuracy": 0.97}`` means the
re-evaluated accuracy must be at least 0.97 (every floored metric is one where higher
is better; an evaluator reports a gain, not a loss, where lower is better). A recipe
whose model ends below its floor is a failed recipe: ``train`` raises
:class:`BelowFloor`, keeps the weights as ``NAME.below-floor.pt`` and what it measured,
curves included, as ``NAME.below-floor.json`` for inspection, and leaves the committed
checkpoint and card untouched.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import importlib
import inspect
import json
import os
import platform
import sys
import tempfile
from pathlib import Path
from typing import Any

import torch
from torch import nn

from scratchvision.device import pick_device
from scratchvision.measure import timed

DEFAULT_ROOT = Path(__file__).parent / "checkpoints"
MAX_BYTES = 5 * 1024 * 1024


class BelowFloor(ValueError):
    """A trained or stored checkpoint scores below its card's floor."""


def below_floor(entry: dict[str, Any], scores: dict[str, float]) -> dict[str, str]:
    """The floored metrics that ``scores`` miss: ``{metric: "0.83 < floor 0.97"}``."""
    missed = {}
    for metric, floor in entry.get("floor", {}).items():
        value = scores.get(metric)
        if value is None or not value >= floor:  # a NaN score misses every floor
            missed[metric] = f"{value} < floor {floor}"
    return missed


def _root(root: str | Path | None) -> Path:
    return DEFAULT_ROOT if root is None else Path(root)


def manifest(root: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """All cards, by checkpoint name."""
    path = _root(root) / "manifest.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text())


def _write_manifest(cards: dict[str, dict[str, Any]], root: str | Path | None) -> None:
    path = _root(root) / "manifest.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(dict(sorted(cards.items())), indent=2) + "\n")
    partial.replace(path)  # atomic: a reader never sees half a manifest


def names(root: str | Path | None = None) -> list[str]:
    """Names of the checkpoints in the zoo."""
    return sorted(manifest(root))


def card(name: str, root: str | Path | None = None) -> dict[str, Any]:
    """Checkpoint ``name``'s card: what it is, how it was trained, what it scores."""
    cards = manifest(root)
    if name not in cards:
        raise ValueError(f"zoo: name must be one of {sorted(cards)}, got {name!r}")
    return cards[name]


def resolve(path: str) -> Any:
    """Import ``"package.module:attribute"`` and return the attribute."""
    module_name, sep, attribute = path.partition(":")
    if not sep:
        raise ValueError(
            f"zoo: import path must look like 'package.module:name', got {path!r}"
        )
    return getattr(importlib.import_module(module_name), attribute)


def sha256(path: str | Path) -> str:
    """Hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def build(name: str, root: str | Path | None = None) -> nn.Module:
    """A fresh, untrained model with the checkpoint's architecture."""
    entry = card(name, root)
    return resolve(entry["builder"])(**entry.get("kwargs", {}))


def load(
    name: str, *, root: str | Path | None = None, device: str | torch.device = "cpu"
) -> nn.Module:
    """Build ``name``'s model, verify the file's sha256, load the weights; eval mode."""
    entry = card(name, root)
    path = _root(root) / entry.get("file", f"{name}.pt")
    if "sha256" not in entry or not path.exists():
        raise FileNotFoundError(
            f"zoo: checkpoint {name!r} has not been trained yet (no {path.name}); "
            f"run `python -m scratchvision.zoo train {name}`"
        )
    actual = sha256(path)
    if actual != entry["sha256"]:
        raise ValueError(
            f"zoo: checkpoint file {path.name} has sha256 {actual[:12]}…, its card "
            f"says {entry['sha256'][:12]}…; the file is corrupt or stale: re-run "
            f"`python -m scratchvision.zoo train {name}`"
        )
    return _reload(build(name, root), path).to(device)


def evaluate(
    name: str, model: nn.Module | None = None, *, root: str | Path | None = None
) -> dict[str, float]:
    """Re-measure a checkpoint's metrics with its card's evaluator."""
    entry = card(name, root)
    model = load(name, root=root) if model is None else model
    scores = resolve(entry["evaluate"])(
        model.eval(), **entry.get("evaluate_kwargs", {})
    )
    return {k: float(v) for k, v in scores.items()}


def train(
    name: str,
    *,
    root: str | Path | None = None,
    seed: int = 0,
    device: str | torch.device | None = None,
) -> dict[str, Any]:
    """Retrain ``name``: run its recipe, save the checkpoint, rewrite its card.

    The card gets fresh figures. ``device`` is passed to recipes that take one.
    """
    entry = card(name, root)
    torch.manual_seed(seed)
    model = build(name, root)
    options = dict(entry.get("recipe_kwargs", {}))
    function = resolve(entry["recipe"])
    if device is not None and "device" in inspect.signature(function).parameters:
        options["device"] = device
    recipe = functools.partial(function, model, **options)
    run = timed(recipe)
    log, seconds = run.result, run.seconds[0]
    model.cpu().eval()
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    if entry.get("store") == "float16":
        state = {k: v.half() if v.is_floating_point() else v for k, v in state.items()}
    path = _root(root) / entry.get("file", f"{name}.pt")
    trial = path.with_name(f"{name}.below-floor.pt")
    trial.parent.mkdir(parents=True, exist_ok=True)
    torch.save(state, trial)
    if trial.stat().st_size > MAX_BYTES:
        raise ValueError(
            f"zoo: checkpoint {name!r} is {trial.stat().st_size / 2**20:.1f} MiB, "
            "over the 5 MiB limit; shrink the model "
            'or set "store": "float16" on its card'
        )
    saved = _reload(model, trial)  # what was stored, after float16 rounding
    scores = resolve(entry["evaluate"])(saved, **entry.get("evaluate_kwargs", {}))
    scores = {k: round(float(v), 4) for k, v in scores.items()}
    missed = below_floor(entry, scores)
    if missed:  # what the failed recipe measured, kept next to its weights
        report = {"metrics": scores, "floor": entry.get("floor"), "log": log,
                  "train_seconds": round(seconds, 1)}  # fmt: skip
        trial.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
        raise BelowFloor(
            f"zoo: recipe {name!r} trained a model below its floor ({missed}) in "
            f"{seconds:.0f} s; the committed checkpoint is unchanged, the new weights "
            f"are in {trial.name}. Fix the recipe, not the floor."
        )
    trial.replace(path)
    entry.update(
        file=path.name,
        sha256=sha256(path),
        bytes=path.stat().st_size,
        train_seconds=round(seconds, 1),
        machine=(
            f"{platform.machine()}, {torch.get_num_threads()} threads, "
            f"torch {torch.__version__.split('+')[0]}"
        ),
        command=f"python -m scratchvision.zoo train {name}",
    )
    if log:  # e.g. per-epoch curves, which notebooks plot instead of re-training
        entry["log"] = log
    entry["metrics"] = scores
    cards = manifest(
        root
    )  # re-read: another recipe may have finished while this one trained
    cards[name] = entry
    _write_manifest(cards, root)
    return entry


def rescore(name: str, *, root: str | Path | None = None) -> dict[str, Any]:
    """Re-measure a stored checkpoint with its card's evaluator and rewrite its metrics.

    For when the *test set* changes (a larger one, another split), not the weights: the
    checkpoint, its training time and curves stay as they are. Raises
    :class:`BelowFloor` and leaves the card alone if the new scores miss the floor.
    """
    entry = card(name, root)
    scores = {k: round(v, 4) for k, v in evaluate(name, root=root).items()}
    missed = below_floor(entry, scores)
    if missed:
        raise BelowFloor(
            f"zoo: {name!r} scores below its floor on its card's test set ({missed}); "
            "the card is unchanged"
        )
    cards = manifest(root)
    cards[name]["metrics"] = scores
    _write_manifest(cards, root)
    return cards[name]


def train_yourself(
    name: str, *, run: bool | None = None, root: str | Path | None = None
) -> dict[str, Any] | None:
    """A lesson's "train it yourself" cell: re-run ``name``'s recipe, or say how.

    With ``run=True`` (or ``SCRATCHVISION_TRAIN=1`` in the environment) the recipe
    trains a fresh model into a scratch zoo in a temporary folder, on a GPU when
    :func:`~scratchvision.device.pick_device` finds one, and the new card is returned:
    the committed checkpoint is never touched. Otherwise (the website, the tests) it
    prints what the recipe costs and how to run it, and returns None.
    """
    entry = card(name, root)
    if run is None:
        run = os.environ.get("SCRATCHVISION_TRAIN") == "1"
    if not isinstance(run, bool):
        raise TypeError(f"train_yourself: run must be a bool or None, got {run!r}")
    if not run:
        print(
            f"{name}: the zoo's recipe trained it in "
            f"{entry.get('train_seconds', '?')} s "
            f"({entry.get('machine', '?')}) to {entry.get('metrics')}, floor "
            f"{entry.get('floor')}. To train it here, call train_yourself({name!r}, "
            f"run=True), or run `{entry.get('command')}` in a terminal."
        )
        return None
    scratch = Path(tempfile.mkdtemp(prefix="scratchvision-zoo-"))
    fresh = {k: v for k, v in entry.items() if k not in RESULTS}
    _write_manifest({name: fresh}, scratch)
    return train(name, root=scratch, device=pick_device())


RESULTS = ("file", "sha256", "bytes", "metrics", "train_seconds", "machine", "log")


def _reload(model: nn.Module, path: Path) -> nn.Module:
    """Evaluate what was saved (after float16 rounding), not the in-memory weights."""
    state = torch.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict(
        {k: v.float() if v.is_floating_point() else v for k, v in state.items()}
    )
    return model.eval()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scratchvision.zoo", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--root", default=None, help="zoo folder (default: the package's checkpoints/)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the checkpoints and their metrics")
    show = sub.add_parser("show", help="print one card")
    show.add_argument("name")
    run = sub.add_parser("train", help="re-run a recipe and rewrite its card")
    run.add_argument("name")
    run.add_argument(
        "--threads", type=int, default=1, help="CPU threads (the cards' timings: 1)"
    )
    again = sub.add_parser(
        "rescore", help="re-measure checkpoints after their test set changed"
    )
    again.add_argument("name", nargs="+")
    check = sub.add_parser("verify", help="re-evaluate checkpoints against their cards")
    check.add_argument("name", nargs="*")
    args = parser.parse_args(argv)
    if args.command == "list":
        for name in names(args.root):
            entry = card(name, args.root)
            print(
                f"{name:32s} {json.dumps(entry.get('metrics', {}))}  "
                f"{entry.get('train_seconds', '?')} s"
            )
    elif args.command == "show":
        print(json.dumps(card(args.name, args.root), indent=2))
    elif args.command == "train":
        torch.set_num_threads(args.threads)
        try:
            entry = train(args.name, root=args.root)
        except BelowFloor as error:
            print(error, file=sys.stderr)
            return 1
        print(f"trained {args.name} in {entry['train_seconds']} s: {entry['metrics']}")
    elif args.command == "rescore":
        for name in args.name:
            try:
                entry = rescore(name, root=args.root)
            except BelowFloor as error:
                print(error, file=sys.stderr)
                return 1
            print(f"rescored {name}: {entry['metrics']}")
    else:
        failed = 0
        for name in args.name or names(args.root):
            claimed, measured = (
                card(name, args.root).get("metrics", {}),
                evaluate(name, root=args.root),
            )
            missed = below_floor(card(name, args.root), measured)
            ok = not missed and all(
                abs(measured[k] - v) <= 0.01 for k, v in claimed.items()
            )
            failed += not ok
            print(
                f"{'ok  ' if ok else 'FAIL'} {name}: card {claimed} measured {measured}"
                + (f" below floor {missed}" if missed else "")
            )
        return 1 if failed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())

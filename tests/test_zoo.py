"""The zoo's mechanism on a temporary zoo; every real checkpoint against its card."""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from scratchvision import zoo

TESTS = Path(__file__).parent


@pytest.fixture
def tiny_zoo(tmp_path):
    card = {
        "description": "a linear classifier on 4 features",
        "builder": "zoo_fixtures:build",
        "kwargs": {"features": 4, "classes": 3},
        "recipe": "zoo_fixtures:recipe",
        "recipe_kwargs": {"steps": 100},
        "evaluate": "zoo_fixtures:evaluate",
    }
    (tmp_path / "manifest.json").write_text(json.dumps({"tiny": card}))
    return tmp_path


def test_train_writes_checkpoint_and_card(tiny_zoo):
    entry = zoo.train("tiny", root=tiny_zoo)
    assert (tiny_zoo / "tiny.pt").exists()
    assert entry["sha256"] == zoo.sha256(tiny_zoo / "tiny.pt")
    assert entry["metrics"]["accuracy"] > 0.9
    assert entry["train_seconds"] >= 0 and "zoo train tiny" in entry["command"]
    assert zoo.card("tiny", root=tiny_zoo)["metrics"] == entry["metrics"]


def test_load_verifies_and_reproduces_metrics(tiny_zoo):
    entry = zoo.train("tiny", root=tiny_zoo)
    model = zoo.load("tiny", root=tiny_zoo)
    assert not model.training
    assert zoo.evaluate("tiny", root=tiny_zoo) == pytest.approx(
        entry["metrics"], abs=1e-4
    )


def test_load_rejects_a_corrupted_file(tiny_zoo):
    zoo.train("tiny", root=tiny_zoo)
    path = tiny_zoo / "tiny.pt"
    path.write_bytes(path.read_bytes()[:-8] + b"corrupt!")
    with pytest.raises(ValueError, match="sha256"):
        zoo.load("tiny", root=tiny_zoo)


def test_untrained_and_unknown_names(tiny_zoo):
    with pytest.raises(FileNotFoundError, match="zoo train tiny"):
        zoo.load("tiny", root=tiny_zoo)
    with pytest.raises(ValueError, match="name must be one of"):
        zoo.card("nope", root=tiny_zoo)
    with pytest.raises(ValueError, match="import path"):
        zoo.resolve("no_colon")


def test_float16_storage_halves_the_file(tiny_zoo):
    cards = json.loads((tiny_zoo / "manifest.json").read_text())
    cards["tiny"]["kwargs"] = {"features": 4, "classes": 3}
    cards["half"] = {**cards["tiny"], "file": "half.pt", "store": "float16"}
    (tiny_zoo / "manifest.json").write_text(json.dumps(cards))
    full, half = zoo.train("tiny", root=tiny_zoo), zoo.train("half", root=tiny_zoo)
    assert zoo.load("half", root=tiny_zoo).weight.dtype.is_floating_point
    assert half["metrics"]["accuracy"] == pytest.approx(
        full["metrics"]["accuracy"], abs=0.05
    )


def test_cli_train_list_verify(tiny_zoo):
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
    }

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "scratchvision.zoo", "--root", str(tiny_zoo), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    trained = run("train", "tiny")
    assert trained.returncode == 0, trained.stderr
    assert "trained tiny" in trained.stdout
    assert "tiny" in run("list").stdout
    verified = run("verify")
    assert verified.returncode == 0 and verified.stdout.startswith("ok"), (
        verified.stdout + verified.stderr
    )
    cards = json.loads((tiny_zoo / "manifest.json").read_text())
    cards["tiny"]["metrics"]["accuracy"] = (
        0.1  # a card that lies must fail verification
    )
    (tiny_zoo / "manifest.json").write_text(json.dumps(cards))
    assert run("verify").returncode == 1
    cards["tiny"]["metrics"]["accuracy"] = zoo.evaluate("tiny", root=tiny_zoo)[
        "accuracy"
    ]
    cards["tiny"]["floor"] = {"accuracy": 1.01}  # a floor the model misses
    (tiny_zoo / "manifest.json").write_text(json.dumps(cards))
    verified = run("verify")
    assert verified.returncode == 1 and "below floor" in verified.stdout
    failed = run("train", "tiny")
    assert failed.returncode == 1 and "Fix the recipe" in failed.stderr


REAL = zoo.names()


@pytest.mark.parametrize("name", REAL)
def test_committed_checkpoint_scores_what_its_card_claims(name):
    entry = zoo.card(name)
    path = zoo.DEFAULT_ROOT / entry["file"]
    assert path.stat().st_size <= zoo.MAX_BYTES, f"{name} is over 5 MB"
    measured = zoo.evaluate(name)
    for metric, claimed in entry["metrics"].items():
        assert measured[metric] == pytest.approx(claimed, abs=0.01), f"{name}: {metric}"
    for field in ("command", "train_seconds", "machine", "description", "sha256"):
        assert field in entry, f"{name}'s card lacks {field}"
    assert entry.get("floor"), f"{name}'s card states no quality floor"
    assert not zoo.below_floor(entry, measured), (
        f"{name} is below its floor: {zoo.below_floor(entry, measured)}"
    )


def test_a_recipe_below_its_floor_fails_and_keeps_the_old_checkpoint(tiny_zoo):
    good = zoo.train("tiny", root=tiny_zoo)
    cards = json.loads((tiny_zoo / "manifest.json").read_text())
    cards["tiny"]["recipe_kwargs"] = {"steps": 0}  # an untrained classifier
    cards["tiny"]["floor"] = {"accuracy": 0.9}
    (tiny_zoo / "manifest.json").write_text(json.dumps(cards))
    with pytest.raises(zoo.BelowFloor, match="below its floor"):
        zoo.train("tiny", root=tiny_zoo)
    assert (tiny_zoo / "tiny.below-floor.pt").exists()
    assert zoo.sha256(tiny_zoo / "tiny.pt") == good["sha256"], "old weights kept"
    assert zoo.card("tiny", root=tiny_zoo)["metrics"] == good["metrics"]


def test_below_floor_names_each_missed_metric_and_refuses_nan():
    entry = {"floor": {"accuracy": 0.9, "psnr_gain": 1.5}}
    assert zoo.below_floor(entry, {"accuracy": 0.95, "psnr_gain": 2.0}) == {}
    missed = zoo.below_floor(entry, {"accuracy": float("nan"), "psnr_gain": 1.0})
    assert set(missed) == {"accuracy", "psnr_gain"}
    assert set(zoo.below_floor(entry, {"accuracy": 0.95})) == {"psnr_gain"}


def test_recipe_log_is_kept_on_the_card(tiny_zoo):
    cards = json.loads((tiny_zoo / "manifest.json").read_text())
    cards["tiny"]["recipe"] = "zoo_fixtures:recipe_with_log"
    (tiny_zoo / "manifest.json").write_text(json.dumps(cards))
    assert zoo.train("tiny", root=tiny_zoo)["log"] == {
        "steps": 100,
        "curve": [1.0, 0.5],
    }


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """Where train_yourself's temporary zoos go (instead of the system's /tmp)."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_train_yourself_only_says_how_unless_asked(
    tiny_zoo, scratch, capsys, monkeypatch
):
    monkeypatch.delenv("SCRATCHVISION_TRAIN", raising=False)
    zoo.train("tiny", root=tiny_zoo)
    capsys.readouterr()
    committed = files_of(tiny_zoo)
    assert zoo.train_yourself("tiny", root=tiny_zoo) is None
    said = capsys.readouterr().out
    assert "train_yourself('tiny', run=True)" in said, said
    assert "zoo train tiny" in said and "accuracy" in said  # the command, the card
    monkeypatch.setenv("SCRATCHVISION_TRAIN", "1")
    assert zoo.train_yourself("tiny", run=False, root=tiny_zoo) is None  # run wins
    monkeypatch.setenv("SCRATCHVISION_TRAIN", "0")
    assert zoo.train_yourself("tiny", root=tiny_zoo) is None
    assert files_of(tiny_zoo) == committed
    assert not list(scratch.glob("scratchvision-zoo-*")), "trained unasked"


@pytest.mark.parametrize("how", ["run", "environment"])
def test_train_yourself_trains_a_scratch_copy_and_keeps_the_zoo(
    tiny_zoo, scratch, monkeypatch, how
):
    committed_entry = zoo.train("tiny", root=tiny_zoo)
    committed = files_of(tiny_zoo)
    if how == "environment":
        monkeypatch.setenv("SCRATCHVISION_TRAIN", "1")
        entry = zoo.train_yourself("tiny", root=tiny_zoo)
    else:
        monkeypatch.delenv("SCRATCHVISION_TRAIN", raising=False)
        entry = zoo.train_yourself("tiny", run=True, root=tiny_zoo)
    assert entry["metrics"]["accuracy"] > 0.9
    assert files_of(tiny_zoo) == committed, "the given zoo was touched"
    (temporary,) = scratch.glob("scratchvision-zoo-*")
    assert entry["sha256"] == zoo.sha256(temporary / "tiny.pt")
    assert zoo.card("tiny", root=temporary)["metrics"] == entry["metrics"]
    assert entry["builder"] == committed_entry["builder"]


@pytest.mark.parametrize("run", [1, "yes", 0.0])
def test_train_yourself_refuses_a_run_that_is_not_a_bool(tiny_zoo, run):
    with pytest.raises(TypeError, match=r"\brun\b"):
        zoo.train_yourself("tiny", run=run, root=tiny_zoo)


def test_every_committed_checkpoint_has_a_card():
    files = {path.name for path in zoo.DEFAULT_ROOT.glob("*.pt")}
    carded = {zoo.card(name).get("file", f"{name}.pt") for name in REAL}
    assert files <= carded, f"checkpoints no card names: {sorted(files - carded)}"


def test_rescore_rewrites_metrics_only_and_refuses_a_missed_floor(tiny_zoo):
    before = zoo.train("tiny", root=tiny_zoo)
    cards = json.loads((tiny_zoo / "manifest.json").read_text())
    cards["tiny"]["metrics"] = {"accuracy": -1.0}  # as if measured on another test set
    (tiny_zoo / "manifest.json").write_text(json.dumps(cards))
    after = zoo.rescore("tiny", root=tiny_zoo)
    assert after["metrics"] == pytest.approx(before["metrics"], abs=1e-4)
    assert after["sha256"] == before["sha256"]
    assert after["train_seconds"] == before["train_seconds"]
    cards = json.loads((tiny_zoo / "manifest.json").read_text())
    cards["tiny"]["floor"] = {"accuracy": 1.01}
    (tiny_zoo / "manifest.json").write_text(json.dumps(cards))
    with pytest.raises(zoo.BelowFloor, match="unchanged"):
        zoo.rescore("tiny", root=tiny_zoo)

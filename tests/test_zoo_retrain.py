"""One card retrained end to end, as `python -m scratchvision.zoo train` would.

LeNet-5 is the cheapest chapter-1 card (about three minutes on one core, rendering
included): its recipe, the floor check and the card it writes are the same code path
every other card takes.
"""

import json

import pytest
import torch
from scratchvision import zoo


def test_lenet_recipe_retrains_to_its_floor(tmp_path):
    entry = {
        key: value
        for key, value in zoo.card("lenet-shapeworld").items()
        if key not in zoo.RESULTS
    }
    (tmp_path / "manifest.json").write_text(json.dumps({"lenet-shapeworld": entry}))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        trained = zoo.train("lenet-shapeworld", root=tmp_path)
    finally:
        torch.set_num_threads(threads)
    assert not zoo.below_floor(trained, trained["metrics"]), trained["metrics"]
    assert (tmp_path / "lenet-shapeworld.pt").exists()
    assert len(trained["log"]["val_acc"]) == 20
    assert trained["log"]["val_acc"][-1] > trained["log"]["val_acc"][0] + 0.05, (
        "the curve must rise: " + str(trained["log"]["val_acc"])
    )
    assert zoo.evaluate("lenet-shapeworld", root=tmp_path) == pytest.approx(
        trained["metrics"], abs=1e-4
    )

"""device, show, validate, kernels."""

import re
from pathlib import Path

import pytest
import torch
from scratchvision import device, kernels, show, validate
from scratchvision.train import fit


def test_pick_device_cpu_says_which(capsys):
    assert device.pick_device("cpu").type == "cpu"
    assert capsys.readouterr().out.strip().startswith("scratchvision: using cpu")
    assert device.pick_device(verbose=False).type in {"cpu", "cuda", "mps"}


def test_pick_device_rejects_missing_or_unknown():
    with pytest.raises(ValueError, match="prefer must be one of"):
        device.pick_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no cuda device"):
            device.pick_device("cuda")


def test_show_source_renders_the_real_code():
    code = show.show_source(fit)
    assert "def fit(" in code.data and code._repr_html_().count("<span") > 10
    assert show.show_source(fit, lines=(1, 2)).data.count("\n") == 1
    assert show.where(fit) == "train/loop.py"
    with pytest.raises(ValueError, match="lines must lie in"):
        show.show_source(fit, lines=(5, 1))
    with pytest.raises(ValueError, match="with source"):
        show.show_source(42)


def test_validate_messages_name_argument_expectation_and_value():
    with pytest.raises(
        ValueError,
        match=r"f: x must be a 4-D tensor \(B, C, H, W\), got shape \(3, 4\)",
    ):
        validate.check_tensor(
            "x", torch.zeros(3, 4), ndim=4, dims="(B, C, H, W)", fn="f"
        )
    with pytest.raises(ValueError, match="x must be a torch.Tensor, got list"):
        validate.check_tensor("x", [1])
    with pytest.raises(ValueError, match="floating-point"):
        validate.check_tensor("x", torch.zeros(2, dtype=torch.long), floating=True)
    with pytest.raises(ValueError, match="must be an int, got True"):
        validate.check_int("n", True)
    with pytest.raises(ValueError, match="int or a pair of ints, got"):
        validate.check_pair("stride", (1, 2, 3))
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\], got 2"):
        validate.check_range("p", 2, low=0, high=1)
    with pytest.raises(ValueError, match=r"mode must be one of \['a', 'b'\], got 'c'"):
        validate.check_choice("mode", "c", ["a", "b"])
    with pytest.raises(
        ValueError,
        match=(
            r"x must have 3 channels \(C in \(\.\.\., C, H, W\)\), "
            r"got shape \(1, 4, 8, 8\)"
        ),
    ):
        validate.check_tensor("x", torch.zeros(1, 4, 8, 8), channels=3)
    assert validate.check_pair("k", 3) == (3, 3) and validate.check_pair(
        "k", [1, 2]
    ) == (1, 2)


def test_kernels_fall_back_to_the_reference():
    reference, kernel = (lambda: "reference"), (lambda: "kernel")
    assert kernels.pick(reference, kernel, lambda: False)() == "reference"
    assert kernels.pick(reference, None, lambda: True)() == "reference"
    assert kernels.pick(reference, kernel, lambda: True)() == "kernel"
    assert kernels.triton_available() is (
        kernels.triton_available() and torch.cuda.is_available()
    )


def _rooms_table():
    """(room, status) rows of CONTRIBUTING.md's "Rooms" table."""
    from conftest import ROOT

    text = (ROOT / "CONTRIBUTING.md").read_text().split("## Rooms", 1)[1]
    rows = [line for line in text.split("\n\n| room |", 1)[1].splitlines()[2:]]
    table = []
    for row in rows:
        if not row.startswith("|"):
            break
        cells = [c.strip() for c in row.strip("|").split("|")]
        for name in re.findall(r"`([a-z_]+)/?`", cells[0]):
            table.append((name, cells[-1]))
    return table


def test_the_rooms_agree_in_every_document():
    """CONTRIBUTING's map, the package docstring and the README name the same rooms,
    and a room is marked planned exactly when it does not exist yet."""
    import scratchvision
    from conftest import ROOT

    table = _rooms_table()
    assert len(table) >= 19, table
    package = Path(scratchvision.__file__).parent
    readme = (ROOT / "README.md").read_text().split("## What is where", 1)[1]
    for room, status in table:
        exists = (package / room).is_dir() or (package / f"{room}.py").is_file()
        assert exists == (status != "planned"), f"{room}: status {status!r}"
        assert f"``{room}``" in scratchvision.__doc__, f"package docstring: {room}"
        assert f"`{room}`" in readme, f"README's What is where: {room}"
        if status == "planned":
            for text in (readme, scratchvision.__doc__):
                said = text.split(f"{room}`", 1)[1].split(")", 1)[0]
                assert "planned" in said, f"{room} must be marked planned: {said!r}"
    listed = {room for room, _ in table}
    rooms = {p.name for p in package.iterdir() if (p / "__init__.py").is_file()}
    assert rooms <= listed, f"packages missing from the map: {rooms - listed}"

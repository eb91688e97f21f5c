"""A new user's set-up: pyproject, environment.yml, Makefile, README and CI agree."""

import re

import tomllib
import yaml
from conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower()


def test_dependencies_are_ranges_not_pins():
    project = PYPROJECT["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += extra
    pinned = [r for r in requirements if "==" in r or "===" in r]
    assert not pinned, f"exact pins make the course break on the next release: {pinned}"
    unbounded = [r for r in requirements if not re.search(r"[<>~]=?", r)]
    assert not unbounded, f"give every dependency a lower bound: {unbounded}"


def test_core_dependencies_present():
    names = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    for needed in (
        "torch",
        "torchvision",
        "einops",
        "numpy",
        "matplotlib",
        "ipywidgets",
        "scikit-image",
        "scikit-learn",
        "tqdm",
    ):
        assert needed in names, f"{needed} missing from pyproject dependencies"


def test_extras_book_and_test():
    extras = PYPROJECT["project"]["optional-dependencies"]
    book = {_name(r): r for r in extras["book"]}
    assert "jupyter-book" in book and "<2" in book["jupyter-book"], (
        "Jupyter Book 2 cannot build offline and ignores _config.yml: cap it below 2"
    )
    assert {"pytest", "pytest-xdist", "ruff", "playwright"} <= {
        _name(r) for r in extras["test"]
    }


def test_environment_yml_installs_what_make_installs():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"][0] == "conda-forge" and "defaults" not in env["channels"]
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    assert {_name(d) for d in conda} == {"python", "pip", "nodejs"}, (
        "conda installs only python, pip and nodejs (npm vendors MathJax); "
        f"packages come from pyproject: {conda}"
    )
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    makefile = (ROOT / "Makefile").read_text()
    make_extras = re.search(r'pip install[^\n]*-e "\.\[([a-z,]+)\]"', makefile).group(1)
    assert pip == [f"-e .[{make_extras}]"], (
        f"environment.yml pip section {pip} != make's .[{make_extras}]"
    )
    assert set(make_extras.split(",")) == set(
        PYPROJECT["project"]["optional-dependencies"]
    ), "make and conda must install every extra that pyproject defines"
    python = next(d for d in conda if _name(d) == "python")
    assert python.replace("python", "") == PYPROJECT["project"]["requires-python"]


def test_readme_quick_start_is_two_make_commands():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    first_block = quick.split("```bash", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in first_block.strip().splitlines()]
    assert commands == ["make book", "make test"], commands


def test_ci_runs_the_readme_test_command():
    lines = [
        l.strip()
        for l in (ROOT / ".ci/run").read_text().splitlines()
        if l.strip() and not l.lstrip().startswith("#")
    ]
    assert lines[-1] == "make test", (
        f".ci/run must end by running `make test`, got {lines[-1]!r}"
    )


def test_make_targets_exist():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("book", "test", "lab", "serve", "clean", "bench", "student"):
        assert re.search(rf"^{target}:", makefile, re.M), f"make {target} is missing"

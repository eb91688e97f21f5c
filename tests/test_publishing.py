"""Publishing and contributing: the Pages workflow builds what the README builds, and
the pre-commit hooks run the formatter, linter and output stripper of make test."""

import yaml
from conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"


def _steps(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


def test_pages_workflow_builds_with_the_readme_command_and_deploys_the_site():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    build = _steps(workflow, "build")
    runs = [s["run"].strip() for s in build if "run" in s]
    assert runs == ["make book"], f"the site must be built as the README says: {runs}"
    uploads = [s for s in build if s.get("uses", "").startswith("actions/upload-pages")]
    assert uploads and uploads[0]["with"]["path"] == "_build/html"
    deploy = _steps(workflow, "deploy")
    assert any(s.get("uses", "").startswith("actions/deploy-pages") for s in deploy)
    assert workflow["jobs"]["deploy"]["needs"] == "build"
    assert workflow["permissions"]["pages"] == "write"
    # YAML 1.1 reads the key `on` as True.
    triggers = workflow.get("on", workflow.get(True))
    assert "main" in triggers["push"]["branches"]


def test_readme_names_make_book_as_the_build():
    quick = (ROOT / "README.md").read_text().split("## Quick start", 1)[1]
    assert "make book" in quick.split("\n## ", 1)[0]


def test_pre_commit_runs_ruff_and_nbstripout_offline():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    assert {"ruff-format", "ruff-check", "nbstripout"} <= set(hooks)
    assert all(repo["repo"] == "local" for repo in config["repos"]), (
        "hooks run the tools make installed, so they need no network"
    )
    assert "jupyter" in hooks["nbstripout"]["types"]

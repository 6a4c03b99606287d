"""`./dev lint` fails on each kind of violation (issue 13, items 3 and 4; ARCHITECTURE.md, Layers).

import-linter runs with the project's own contracts (pyproject.toml) over a copy of src/hotline
with deliberate violations added; the mypy baseline check runs on fabricated mypy output. No
database, no real mypy run: these stay fast.
"""

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "hotline"
PYPROJECT = ROOT / "pyproject.toml"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

NOT_PACKAGES = {"templates", "static", "locale", "__pycache__"}


def _contracts() -> dict[str, dict]:
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]
    return {contract["id"]: contract for contract in config["contracts"]}


def _top_level_packages() -> set[str]:
    return {
        f"hotline.{path.name}"
        for path in SRC.iterdir()
        if path.is_dir() and path.name not in NOT_PACKAGES and (path / "__init__.py").exists()
    }


def _layer_names(layer: str) -> list[tuple[str, bool]]:
    """`"a | (b)"` -> [("a", False), ("b", True)]: module names and whether optional."""
    names = []
    for part in re.split(r"[|:]", layer):
        part = part.strip()
        optional = part.startswith("(")
        names.append((part.strip("()"), optional))
    return names


# --- the contracts cover the tree ---------------------------------------------------------


def test_every_package_has_a_layer():
    """A new package must be placed in the layer list, or no contract would look at it."""
    listed = {name for layer in _contracts()["layers"]["layers"] for name, _ in _layer_names(layer)}
    assert _top_level_packages() - listed == set()


def test_row_3_contract_names_every_existing_row_3_context():
    """The independence contract cannot name a package that does not exist yet: when one of
    the optional row-3 contexts is created, it must be added there too."""
    (row_3_layer,) = [
        layer for layer in _contracts()["layers"]["layers"] if "hotline.knowledge" in layer
    ]
    row_3 = {name for name, _ in _layer_names(row_3_layer)}
    existing = row_3 & _top_level_packages()
    assert set(_contracts()["row-3-surfaces"]["modules"]) == existing


# --- import-linter fails on a violation ----------------------------------------------------

PROBES = {
    # an upward import: core is the bottom layer
    "core/_lint_probe.py": "from hotline.tickets import models\n",
    # a row-3 context reaching into another's models (not allowed) and services (allowed)
    "knowledge/_lint_probe.py": (
        "from hotline.routing import models\nfrom hotline.routing import services\n"
    ),
    # domain code importing the demo
    "tickets/_lint_probe.py": "import hotline.demo\n",
}


@pytest.fixture(scope="module")
def lint_imports_output(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lint")
    copy = tmp / "src" / "hotline"
    shutil.copytree(
        SRC, copy, ignore=shutil.ignore_patterns(*NOT_PACKAGES, "*.pyc", "*.html", "*.mo", "*.po")
    )
    (copy / "demo" / "__init__.py").touch()  # in case the package has no __init__ yet
    for name, text in PROBES.items():
        (copy / name).write_text(text, encoding="utf-8")
    shutil.copy(PYPROJECT, tmp / "pyproject.toml")
    # PYTHONPATH comes before the editable install's path entry, so grimp reads the copy
    env = {**os.environ, "PYTHONPATH": str(tmp / "src"), "COLUMNS": "500"}
    done = subprocess.run(  # noqa: S603 - our own venv's lint-imports, fixed arguments
        [str(LINT_IMPORTS), "--config", "pyproject.toml", "--no-cache"],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # rich wraps long chains; one space between words makes them searchable
    return done.returncode, " ".join((done.stdout + done.stderr).split())


def test_lint_imports_fails_on_an_upward_import(lint_imports_output):
    code, output = lint_imports_output
    assert code == 1, output
    assert "hotline.core is not allowed to import hotline.tickets" in output
    assert "hotline.core._lint_probe -> hotline.tickets.models" in output


def test_lint_imports_fails_on_another_contexts_models(lint_imports_output):
    code, output = lint_imports_output
    assert code == 1
    assert "hotline.knowledge._lint_probe -> hotline.routing.models" in output
    # services (and selectors) are the public surface of a context
    assert "hotline.knowledge._lint_probe -> hotline.routing.services" not in output


def test_lint_imports_fails_on_a_demo_import(lint_imports_output):
    code, output = lint_imports_output
    assert code == 1
    assert "hotline.tickets._lint_probe -> hotline.demo" in output


# --- the mypy baseline fails on one more error ---------------------------------------------


@pytest.fixture(scope="module")
def baseline_tool():
    spec = importlib.util.spec_from_file_location("mypy_baseline", ROOT / "tools/mypy_baseline.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _error(path: str, line: int) -> str:
    return f'{path}:{line}: error: Item "None" of "X | None" has no attribute "y"  [union-attr]'


def _run(tool, tmp_path, errors: list[str], *extra: str) -> int:
    output = tmp_path / "mypy.txt"
    tail = f"Found {len(errors)} errors" if errors else "Success: no issues found"
    output.write_text("\n".join([*errors, tail]) + "\n", encoding="utf-8")
    return tool.main(["--from-file", str(output), "--baseline", str(tmp_path / "b.json"), *extra])


@pytest.fixture
def baseline(tmp_path):
    path = tmp_path / "b.json"
    files = {"src/hotline/knowledge/views.py": 2}
    path.write_text(json.dumps({"strict": ["calendar"], "files": files}), encoding="utf-8")
    return path


VIEWS = "src/hotline/knowledge/views.py"


def test_baseline_passes_at_its_count(baseline_tool, baseline, tmp_path):
    assert _run(baseline_tool, tmp_path, [_error(VIEWS, 1), _error(VIEWS, 2)]) == 0


def test_baseline_fails_on_one_more_error(baseline_tool, baseline, tmp_path, capsys):
    errors = [_error(VIEWS, 1), _error(VIEWS, 2), _error(VIEWS, 3)]
    assert _run(baseline_tool, tmp_path, errors) == 1
    assert f"{VIEWS}: 3 error(s), baseline 2" in capsys.readouterr().err


def test_baseline_fails_on_an_error_in_a_new_file(baseline_tool, baseline, tmp_path):
    assert _run(baseline_tool, tmp_path, [_error("src/hotline/routing/new.py", 1)]) == 1


def test_strict_package_allows_no_error(baseline_tool, baseline, tmp_path, capsys):
    assert _run(baseline_tool, tmp_path, [_error("src/hotline/calendar/core.py", 9)]) == 1
    assert "strict package 'calendar'" in capsys.readouterr().err
    # the strict list can be given on the command line (the lead widens it to core, orgs…)
    errors = [_error(VIEWS, 1)]
    assert _run(baseline_tool, tmp_path, errors, "--strict", "calendar,knowledge") == 1


def test_update_only_lowers(baseline_tool, baseline, tmp_path):
    assert _run(baseline_tool, tmp_path, [_error(VIEWS, 1)], "--update") == 0
    assert json.loads(baseline.read_text())["files"] == {VIEWS: 1}
    # one error more than the lowered count fails, and --update does not raise it back
    assert _run(baseline_tool, tmp_path, [_error(VIEWS, 1), _error(VIEWS, 2)], "--update") == 1
    assert json.loads(baseline.read_text())["files"] == {VIEWS: 1}
    assert _run(baseline_tool, tmp_path, [], "--update") == 0
    assert json.loads(baseline.read_text())["files"] == {}


def test_a_mypy_crash_fails(baseline_tool, baseline, tmp_path, monkeypatch):
    monkeypatch.setattr(baseline_tool, "run_mypy", lambda: (2, "mypy: error: bad config"))
    assert baseline_tool.main(["--baseline", str(baseline)]) == 1


def test_committed_baseline_keeps_strict_packages_out(baseline_tool):
    strict, files = baseline_tool.load(baseline_tool.BASELINE)
    assert "calendar" in strict
    assert [path for path in files if baseline_tool.package_of(path) in strict] == []

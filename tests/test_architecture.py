"""The shape of the house: import contracts, short functions, stage docstrings, README layout.

These tests guard the structure set up by issue 9, so that it cannot decay silently:

- the import contracts in ``pyproject.toml`` (checked by import-linter, not by a hand-written
  parser) hold, name every stage and every source reader, and really catch a backward import;
- no function in ``src/`` is longer than 80 lines (counted from ``def`` to its last line);
- every subpackage says in its docstring what comes in and what goes out;
- the README's "Layout" block names every module and every path it names exists.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "mtr_analysis"
SOURCES = PACKAGE / "intake" / "sources"
MAX_FUNCTION_LINES = 80
# Shared helpers of the readers: every reader may import them, so they are not a reader.
READER_HELPERS = {"text"}


def _lint_imports(cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the venv's ``lint-imports`` (next to the running Python) in ``cwd``."""
    exe = Path(sys.executable).with_name("lint-imports")
    assert exe.exists(), f"lint-imports not found next to {sys.executable}"
    # A wide console, so that each import in the report stays on one line.
    env = {**(os.environ if env is None else env), "COLUMNS": "200"}
    return subprocess.run(
        [str(exe), "--no-cache", "--no-logo"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def _layer_names(contract: dict) -> set[str]:
    """Module names of a layers contract, siblings (``a | b`` or ``a : b``) split out."""
    names = set()
    for layer in contract["layers"]:
        names.update(part.strip(" ()") for part in re.split(r"[|:]", layer))
    return names


def _package_children(package: Path) -> set[str]:
    """Names of the modules and subpackages directly inside ``package``."""
    modules = {p.stem for p in package.glob("*.py") if p.name != "__init__.py"}
    packages = {p.name for p in package.iterdir() if (p / "__init__.py").is_file()}
    return modules | packages


# --- import contracts -------------------------------------------------------------------


def test_import_contracts_hold():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_stage_contract_names_every_module_of_the_package():
    stages = _contracts()["stages"]
    assert stages["containers"] == ["mtr_analysis"]
    assert stages.get("exhaustive") is True, "a new stage must be placed in a layer"
    assert _layer_names(stages) == _package_children(PACKAGE)


def test_reader_contract_names_every_reader():
    readers = _contracts()["readers"]
    named = {m.removeprefix("mtr_analysis.intake.sources.") for m in readers["modules"]}
    on_disk = {p.stem for p in SOURCES.glob("*.py") if p.name != "__init__.py"}
    assert named == on_disk - READER_HELPERS


def _copy_project(tmp_path: Path) -> Path:
    """A copy of pyproject.toml and src/ in which a test can add a bad import."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(
        ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    return tmp_path


def _lint_copy(project: Path) -> subprocess.CompletedProcess:
    # PYTHONPATH puts the copy ahead of the editable install of the real src/.
    return _lint_imports(project, {**os.environ, "PYTHONPATH": str(project / "src")})


def test_an_untouched_copy_of_the_project_keeps_the_contracts(tmp_path):
    # The control for the next test: a broken contract there comes from the added import.
    result = _lint_copy(_copy_project(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("target", "code", "expected"),
    [
        (
            "reference/registry.py",
            "import mtr_analysis.run.runner\n",
            "mtr_analysis.reference.registry -> mtr_analysis.run.runner",
        ),
        (
            "analysis/gaps.py",
            "from mtr_analysis.reporting import findings\n",
            "mtr_analysis.analysis.gaps -> mtr_analysis.reporting.findings",
        ),
        (
            "paths.py",
            "import mtr_analysis.intake.store\n",
            "mtr_analysis.paths -> mtr_analysis.intake.store",
        ),
        (
            "intake/sources/hdr.py",
            "import mtr_analysis.intake.sources.national\n",
            "mtr_analysis.intake.sources.hdr -> mtr_analysis.intake.sources.national",
        ),
        (
            "extras/__init__.py",
            '"""A stage that no layer names."""\n',
            "not listed as layers:\n\n- mtr_analysis.extras",
        ),
    ],
    ids=[
        "reference-imports-run",
        "analysis-imports-reporting",
        "paths-imports-intake",
        "reader-imports-reader",
        "unplaced-stage",
    ],
)
def test_a_bad_import_breaks_a_contract(tmp_path, target, code, expected):
    project = _copy_project(tmp_path)
    module = project / "src" / "mtr_analysis" / target
    module.parent.mkdir(parents=True, exist_ok=True)
    before = module.read_text(encoding="utf-8") if module.exists() else ""
    module.write_text(before + "\n" + code, encoding="utf-8")
    result = _lint_copy(project)
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout
    assert expected in result.stdout


# --- short functions --------------------------------------------------------------------


def _long_functions(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            # node.lineno is the ``def`` line (decorators are not counted).
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found.append(f"{path.relative_to(root)}:{node.lineno} {node.name} ({length})")
    return found


def test_long_function_detection_counts_from_def_to_last_line(tmp_path):
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES - 1))
    at_limit = tmp_path / "at_limit.py"  # decorator, then def + 79 lines = 80 lines
    at_limit.write_text("@staticmethod\ndef f():\n" + body)
    too_long = tmp_path / "too_long.py"  # a method: def + 80 lines = 81 lines
    too_long.write_text("class A:\n    def g(self):\n" + body.replace("    ", "        ")
                        + "        y = 0\n")  # fmt: skip
    assert _long_functions(at_limit, tmp_path) == []
    assert _long_functions(too_long, tmp_path) == ["too_long.py:2 g (81)"]


def test_no_function_in_src_is_longer_than_80_lines():
    offenders = [f for path in sorted(PACKAGE.rglob("*.py")) for f in _long_functions(path)]
    assert not offenders, "functions longer than 80 lines:\n" + "\n".join(offenders)


# --- stage docstrings -------------------------------------------------------------------


def _subpackages() -> list[Path]:
    return sorted(p.parent for p in PACKAGE.rglob("__init__.py"))


@pytest.mark.parametrize(
    "package", _subpackages(), ids=lambda p: ".".join(p.relative_to(PACKAGE.parent).parts)
)
def test_every_package_docstring_has_a_paragraph(package):
    docstring = ast.get_docstring(ast.parse((package / "__init__.py").read_text("utf-8")))
    assert docstring, f"{package} has no docstring"
    summary, _, body = docstring.partition("\n\n")
    assert summary.strip(), "the docstring starts with a one-line summary"
    # A paragraph after the summary: what comes in and what goes out, in a few sentences.
    assert len(body.split()) >= 20, f"{package}: add a paragraph after the summary line"


# --- README layout ----------------------------------------------------------------------

PATH_TOKEN = re.compile(r"^[\w.-]+(/[\w.-]+)*(/|\.[a-z]+)$")


def readme_layout_paths(block: str) -> list[str]:
    """Paths named in a layout block: a tree drawn by indentation, one entry per line.

    An entry is a line whose first word is a path (ending in ``/`` for a folder, or with an
    extension); a folder's children are the entries indented more deeply below it. Lines
    whose first word is not a path continue the description above and are skipped.
    """
    paths: list[str] = []
    parents: list[tuple[int, str]] = []  # (indent, folder path) of the open folders
    for line in block.splitlines():
        words = line.split()
        if not words or not PATH_TOKEN.match(words[0]):
            continue
        indent = len(line) - len(line.lstrip(" "))
        while parents and parents[-1][0] >= indent:
            parents.pop()
        path = (parents[-1][1] if parents else "") + words[0]
        paths.append(path.rstrip("/"))
        if words[0].endswith("/"):
            parents.append((indent, path))
    return paths


def _readme_layout_block() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Layout\n(.*?)(?=^## )", readme, re.S | re.M)
    assert section, 'README.md has no "## Layout" section'
    block = re.search(r"^```[^\n]*\n(.*?)^```", section.group(1), re.S | re.M)
    assert block, 'the "## Layout" section has no fenced block'
    return block.group(1)


def test_layout_parser_reads_nested_entries_and_skips_descriptions():
    block = (
        "src/pkg/\n"
        "  a.py        first\n"
        "              continued: not a path\n"
        "  sub/        a folder\n"
        "    b.py      inside sub\n"
        "  c.py\n"
        "docs/         top level again\n"
    )
    assert readme_layout_paths(block) == [
        "src/pkg", "src/pkg/a.py", "src/pkg/sub", "src/pkg/sub/b.py", "src/pkg/c.py", "docs",
    ]  # fmt: skip


def test_readme_layout_paths_exist():
    missing = [p for p in readme_layout_paths(_readme_layout_block()) if not (ROOT / p).exists()]
    assert not missing, f"README Layout names paths that do not exist: {missing}"


def test_readme_layout_names_every_module():
    named = set(readme_layout_paths(_readme_layout_block()))
    # Modules, packages (named by their folder) and the data folders beside the stages.
    modules = [p for p in PACKAGE.rglob("*.py") if p != PACKAGE / "__init__.py"]
    folders = [p for p in PACKAGE.iterdir() if p.is_dir()]
    in_tree = {
        str(p.relative_to(ROOT)).removesuffix("/__init__.py")
        for p in modules + folders
        if "__pycache__" not in p.parts
    }
    missing = sorted(in_tree - named)
    assert not missing, f"README Layout does not name: {missing}"

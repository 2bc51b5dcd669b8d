"""Shared fixtures: the real-data folder (fail in CI when missing) and a demo store."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from mtr_analysis import paths  # noqa: E402


@pytest.fixture(scope="session")
def real_dir() -> Path:
    """``../shared/data/real``: fail when missing in CI (``CI=true``), skip locally."""
    path = Path(os.environ.get("MTR_REAL_DATA", paths.SHARED_REAL_DIR))
    if not path.is_dir():
        message = f"real data folder {path} not found"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI=true: real-data tests must run)")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def demo_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Demo inputs written once per test session."""
    from mtr_analysis.intake.demo import write_demo

    out = tmp_path_factory.mktemp("demo_raw")
    write_demo(out)
    return out


@pytest.fixture(scope="session")
def demo_store(demo_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tidy store built from the demo inputs; returns its folder."""
    from mtr_analysis.intake.build import build

    out = tmp_path_factory.mktemp("demo_store")
    build([demo_raw], out)
    return out


@pytest.fixture(scope="session")
def real_store_build(real_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """One ``mtr build`` of the whole ``../shared/data/real`` per session (the slowest step of
    the suite, about 2 minutes on two cores), shared by every test that needs the whole
    folder. Returns ``(store folder, intake.json as a dict, exit code)``."""
    import json

    from mtr_analysis.cli import main

    out = tmp_path_factory.mktemp("real_store")
    code = main(["build", "--raw", str(real_dir), "--out", str(out), "--quiet"])
    intake = json.loads((out / paths.INTAKE_FILE).read_text(encoding="utf-8"))
    return out, intake, code

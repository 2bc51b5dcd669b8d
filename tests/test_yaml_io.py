"""YAML reading (yaml_io.py): the same data as PyYAML's pure-Python safe loader, still safe."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mtr_analysis import yaml_io

CONFIG = Path(yaml_io.__file__).parent / "config"
WORDS = Path(yaml_io.__file__).parent / "reporting" / "words"


@pytest.mark.parametrize(
    "path", sorted([*CONFIG.rglob("*.yaml"), *WORDS.glob("*.yaml")]), ids=lambda p: p.name
)
def test_every_shipped_yaml_reads_as_the_python_safe_loader_reads_it(path):
    text = path.read_text(encoding="utf-8")
    assert yaml_io.load(text) == yaml.load(text, Loader=yaml.SafeLoader)


def test_python_tags_are_refused_and_bad_yaml_raises():
    with pytest.raises(yaml.YAMLError):
        yaml_io.load("!!python/object/apply:os.system ['true']")
    with pytest.raises(yaml.YAMLError):
        yaml_io.load("a: [1, 2")
    assert yaml_io.load("") is None

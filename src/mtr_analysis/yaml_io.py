"""Reading YAML: the configuration files, word catalogues and users' settings.

In: YAML text. Out: plain Python data (dicts, lists, strings, numbers). Loaded with
libyaml's C parser when PyYAML was built with it, else with PyYAML's own; both are *safe*
loaders (no Python objects from tags). The C parser is about ten times faster: every report
reads the method settings, its framework and the word catalogues, and the pure-Python
parser cost a report about 0.4 CPU-seconds.
"""

from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str) -> Any:
    """The data of one YAML document (``None`` for an empty one); ``yaml.YAMLError`` if the
    text is not YAML."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader (C or Python)

"""Griffe extension: Sphinx roles in the numpydoc docstrings become API links.

The docstrings cross-reference with Sphinx roles (``:func:`assess```, ``:mod:`.i18n```,
``:data:`mtr_analysis.intake.sources.RECORD_COLUMNS```), which Markdown would show as
literal text. This extension resolves each target the way Sphinx does (relative to the
current module, then the current class, then absolute) and writes an autorefs link,
``[`assess`][mtr_analysis.analysis.trends.assess]``. A target inside the package that does
not exist stays a link, so that ``mkdocs build --strict`` fails on a stale reference; a
target outside the package (pandas, numpy, statsmodels...) becomes plain code, since the
site carries no inventory of other projects.
"""

from __future__ import annotations

import re
from typing import Any

from griffe import (
    Alias,
    AliasResolutionError,
    Class,
    CyclicAliasError,
    Extension,
    GriffeLoader,
    Module,
    Object,
)

ROLE = re.compile(r":(?:py:)?(?:mod|func|data|class|meth|attr|obj|exc|const):`([^`]+)`")
PACKAGE = "mtr_analysis"


def _lookup(loader: GriffeLoader, path: str) -> Object | Alias | None:
    try:
        return loader.modules_collection.get_member(path)
    except (KeyError, ValueError, AliasResolutionError, CyclicAliasError):
        # not defined here, or imported from another project
        return None


def _canonical(found: Object | Alias) -> str:
    """The path where an object is documented (an imported name leads to its definition)."""
    if isinstance(found, Alias):
        return found.target_path
    return found.path


def candidates(name: str, obj: Object) -> list[str]:
    """Full paths ``name`` may mean inside ``obj``'s docstring, most local first."""
    module = obj if isinstance(obj, Module) else obj.module
    if name.startswith("."):
        return [module.path + name]
    scopes = [o.path for o in (obj, obj.parent) if isinstance(o, Class)]
    paths = [f"{scope}.{name}" for scope in [*scopes, module.path]]
    return [*paths, name, f"{PACKAGE}.{name}"]


def resolve(name: str, obj: Object, loader: GriffeLoader) -> str | None:
    """The documented path of ``name`` seen from ``obj``, or ``None`` if outside the package.

    A name that should be in the package but is not found is returned as written (made
    absolute), so that the cross-reference fails loudly.
    """
    options = candidates(name, obj)
    for path in options:
        found = _lookup(loader, path)
        if found is not None:
            canonical = _canonical(found)
            return canonical if canonical.startswith(PACKAGE) else None
    if name.startswith("."):
        return options[0]
    if name.startswith(f"{PACKAGE}."):
        return name
    return None


def rewrite(text: str, obj: Object, loader: GriffeLoader) -> str:
    """``text`` with every Sphinx role replaced by a Markdown cross-reference or code."""

    def replace(match: re.Match) -> str:
        target = match.group(1).strip()
        shown = target.lstrip("~.")
        if target.startswith("~"):  # Sphinx: show only the last component
            target, shown = target[1:], target.rsplit(".", 1)[-1]
        path = resolve(target, obj, loader)
        return f"`{shown}`" if path is None else f"[`{shown}`][{path}]"

    return ROLE.sub(replace, text)


class SphinxRoles(Extension):
    """Turn Sphinx cross-reference roles into mkdocstrings/autorefs links."""

    def on_object(self, *, obj: Object, loader: GriffeLoader, **kwargs: Any) -> None:
        if obj.docstring is not None and ":" in obj.docstring.value:
            obj.docstring.value = rewrite(obj.docstring.value, obj, loader)

"""Notebook parameters: what a notebook declares, and the values a run passes to it.

Papermill only warns about parameters a notebook does not declare; here every parameter is
checked against the notebook's ``parameters`` cell before anything runs.

Parameters passed (when the notebook declares them): ``country`` (ISO3, country and
national implementation notebooks only), ``review``, ``baseline_year``, ``cutoff_year``, ``data_dir``, ``lang``,
``horizon_year`` (baseline reviews: the year targets should be reached), ``settings_file`` (absolute path of the run's method settings file, ``""`` for the
defaults), ``method`` (the progress method, ``"unsd"``, ``"escap"`` or ``"ols"``: part of
every cache key), ``as_of`` (``"YYYY-MM-DD"`` of ``mtr run --as-of``, else ``""``: part of
every cache key), ``countries`` (list of ISO3, regional notebook only) and ``framework`` (the reporting
framework's name, or the absolute path of its YAML file; country and regional notebooks). Notebooks write no files: the findings
and review tables are written by the runner (:mod:`mtr_analysis.run.products`).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

#: Parameters every country notebook must declare.
COUNTRY_REQUIRED = ("country", "review", "data_dir")
#: Parameters every regional notebook must declare.
REGIONAL_REQUIRED = ("review", "data_dir")
#: Parameters passed only when the notebook declares them.
COUNTRY_OPTIONAL = (
    "baseline_year", "cutoff_year", "lang", "settings_file", "method", "framework", "as_of",
    "horizon_year", "countries",
)  # fmt: skip
REGIONAL_OPTIONAL = (
    "baseline_year", "cutoff_year", "lang", "countries", "settings_file", "method",
    "framework", "as_of", "horizon_year", "country",
)  # fmt: skip
#: Parameters every national implementation notebook must declare (``country``: the ISO3
#: code of the plan's country).
NATIONAL_REQUIRED = ("country", "review", "data_dir")
NATIONAL_OPTIONAL = ("baseline_year", "cutoff_year", "lang", "settings_file", "method", "as_of")
#: Parameters that are paths: left out of the cache key (what they hold is in it).
PATH_PARAMETERS = ("data_dir", "settings_file")


def notebook_parameters(path: Path | str) -> dict[str, dict]:
    """The parameters a notebook declares in its ``parameters``-tagged cell.

    Parsed like :func:`papermill.inspect_notebook` (the tests check that both agree), but
    without importing papermill, whose import takes seconds: a warm re-run of ``mtr run``
    then stays fast.

    Parameters
    ----------
    path : path-like
        The notebook (``.ipynb``).

    Returns
    -------
    dict
        Parameter name → ``{"default", "inferred_type_name", "help"}``: ``default`` is the
        source text of the value, ``inferred_type_name`` the annotation (``"None"`` without
        one) and ``help`` the comment at the end of the line. Empty when the notebook has no
        ``parameters`` cell.

    Raises
    ------
    ValueError
        If the notebook does not exist, is not a notebook, or its parameters cell is not
        valid Python.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"notebook not found: {path}")
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = nb["cells"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path} is not a Jupyter notebook: {exc}") from None
    cell = next(
        (
            c
            for c in cells
            if c.get("cell_type") == "code"
            and "parameters" in (c.get("metadata", {}).get("tags") or [])
        ),
        None,
    )
    if cell is None:
        return {}
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else str(source)
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ValueError(f"{path.name}: parameters cell is not valid Python: {exc}") from None
    lines = source.splitlines()
    found: dict[str, dict] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            name = node.target.id
            type_name = ast.get_source_segment(source, node.annotation) or "None"
            value = node.value
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            name, type_name, value = node.targets[0].id, "None", node.value
        else:
            continue
        default = ast.get_source_segment(source, value) if value is not None else None
        rest = lines[node.end_lineno - 1][node.end_col_offset :]
        comment = rest.split("#", 1)[1].strip() if "#" in rest else ""
        found[name] = {"default": default, "inferred_type_name": type_name, "help": comment}
    return found


def check_parameters(path: Path | str, params: dict[str, Any]) -> None:
    """Refuse parameters the notebook does not declare (papermill would only warn).

    Parameters
    ----------
    path : path-like
        The notebook.
    params : dict
        Parameter name → value, as they would be passed to papermill.

    Raises
    ------
    ValueError
        Naming the notebook, the unknown parameter names and the allowed names.
    """
    declared = notebook_parameters(path)
    unknown = sorted(set(params) - set(declared))
    if unknown:
        allowed = ", ".join(declared) or "(none: the notebook has no 'parameters' cell)"
        raise ValueError(
            f"notebook {Path(path).name} ({path}) does not declare parameter(s) "
            f"{', '.join(unknown)}; allowed: {allowed}"
        )


def select_parameters(
    path: Path, values: dict[str, Any], required: tuple[str, ...], optional: tuple[str, ...]
) -> dict[str, Any]:
    """Required parameters plus the optional ones the notebook declares; checked.

    Parameters
    ----------
    path : pathlib.Path
        The notebook.
    values : dict
        Every value the run could pass, by parameter name.
    required, optional : tuple of str
        Names always passed, and names passed only when the notebook declares them.

    Raises
    ------
    ValueError
        When the notebook lacks a required parameter (see :func:`check_parameters`).
    """
    declared = notebook_parameters(path)
    params = {k: values[k] for k in required}
    params.update({k: values[k] for k in optional if k in declared})
    check_parameters(path, params)
    return params

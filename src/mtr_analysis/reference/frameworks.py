"""Reporting frameworks: the structure a report is organised by, kept as data.

Comes in: one YAML file per framework — shipped in ``config/frameworks/`` (``ascc.yaml``,
the Blueprint's five characteristics; ``de-an-161.yaml``, Viet Nam's Đề án 161 focus areas)
or a user's own in ``<data_dir>/frameworks/`` or anywhere on disk — and the indicator
catalogue. Goes out: a validated :class:`Framework` (its groups with English and Vietnamese
names and the catalogue indicators mapped onto each) and :func:`label_groups`, which adds the
``group`` and ``group_name`` columns to an assessment or availability frame.

A framework file holds ``name``, ``title``, ``title_vi``, ``group_label``,
``group_label_vi`` (what a group is called: "characteristic", "focus area"), ``countries``
(ISO3 codes of a national plan's scope; empty: every member state) and either ``groups``
(a list of ``code``, ``name``, ``name_vi``, ``description``, ``indicators``) or
``groups_from: characteristic`` (the catalogue's own characteristics, so the Blueprint's
structure is not written twice). Every problem raises :class:`FrameworkError` naming the file
and the entry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from mtr_analysis import yaml_io
from mtr_analysis.paths import (
    DATA_FRAMEWORKS_SUBDIR,
    DEFAULT_FRAMEWORK,
    FRAMEWORK_SUFFIX,
    FRAMEWORKS_DIR,
)
from mtr_analysis.reference import registry
from mtr_analysis.reference.catalogue import Catalogue, load_catalogue

__all__ = [
    "Framework",
    "FrameworkError",
    "available_frameworks",
    "find_framework",
    "label_groups",
    "load_framework",
]

#: Keys every framework file must have (plus ``groups`` or ``groups_from``).
REQUIRED_KEYS = ("name", "title", "title_vi", "group_label", "group_label_vi", "countries")
#: Keys of one group entry.
GROUP_KEYS = ("code", "name", "name_vi", "description", "indicators")
#: Catalogue columns a framework may take its groups from (``groups_from``).
GROUPS_FROM = ("characteristic",)
#: Columns of :attr:`Framework.groups`.
GROUP_COLUMNS = ["code", "name", "name_vi", "description"]


class FrameworkError(ValueError):
    """A framework file is missing or invalid; the message names the file and the entry."""


@dataclass(frozen=True)
class Framework:
    """One reporting framework, validated against the catalogue.

    Attributes
    ----------
    name : str
        Short name (``"ascc"``, ``"de-an-161"``), as given to ``mtr run --framework``.
    title, title_vi : str
        Full title in English and Vietnamese.
    group_label, group_label_vi : str
        What one group is called, lower case ("characteristic" / "đặc điểm").
    countries : list of str
        ISO3 codes of a national plan's scope; empty for a regional framework.
    groups : pandas.DataFrame
        :data:`GROUP_COLUMNS`, indexed by ``code``, in the file's order.
    mapping : pandas.Series
        Indicator id → group code (each indicator in at most one group), group order.
    path : pathlib.Path
        The YAML file.
    sha256 : str
        SHA-256 of the file's bytes (part of every report's cache key).
    """

    name: str
    title: str
    title_vi: str
    group_label: str
    group_label_vi: str
    countries: list[str]
    groups: pd.DataFrame
    mapping: pd.Series
    path: Path
    sha256: str

    @property
    def national(self) -> bool:
        """True when the framework is a national plan's (it names its countries)."""
        return bool(self.countries)

    def text(self, field: str, lang: str = "en") -> str:
        """``title`` or ``group_label`` in ``lang`` (``"vi"``: the ``_vi`` variant)."""
        return str(getattr(self, f"{field}_vi" if lang == "vi" else field))

    def group_names(self, lang: str = "en") -> pd.Series:
        """Group code → name in ``lang`` (``name_vi`` for Vietnamese)."""
        return self.groups["name_vi" if lang == "vi" else "name"].astype(str)


def _fail(path: Path, where: str, reason: str) -> FrameworkError:
    """One error message: ``framework file <path>: <where>: <reason>``."""
    return FrameworkError(f"framework file {path}: {where}: {reason}")


def _read(path: Path) -> dict:
    """The file's top-level mapping; FrameworkError when unreadable or not a mapping."""
    try:
        doc = yaml_io.load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise FrameworkError(f"framework file {path}: cannot be read: {exc}") from None
    except yaml.YAMLError as exc:
        raise FrameworkError(f"framework file {path}: not valid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise _fail(path, "top level", "must be a mapping of keys (name, title, groups, …)")
    for key in REQUIRED_KEYS:
        if key not in doc:
            raise _fail(path, f"key '{key}'", "missing")
        if key != "countries" and not str(doc[key] or "").strip():
            raise _fail(path, f"key '{key}'", "empty; give a text")
    if ("groups" in doc) == ("groups_from" in doc):
        raise _fail(path, "groups", "give either 'groups' (a list) or 'groups_from'")
    return doc


def _countries(path: Path, value: object) -> list[str]:
    """ISO3 codes of ``countries``; each must be a member state."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(path, "key 'countries'", "must be a list of ISO3 codes, e.g. [VNM]")
    out = []
    for c in value:
        try:
            out.append(registry.get(str(c)).iso3)
        except KeyError:
            raise _fail(path, f"countries entry {c!r}", "not an ASEAN member state") from None
    return out


def _group(path: Path, pos: int, entry: object, known: set[str]) -> dict:
    """One validated group entry (``pos`` counts from 1 for the message)."""
    if not isinstance(entry, dict):
        raise _fail(path, f"group {pos}", "must be a mapping with " + ", ".join(GROUP_KEYS))
    code = str(entry.get("code") or "").strip()
    where = f"group {pos} ('{code}')" if code else f"group {pos}"
    for key in GROUP_KEYS:
        if key == "indicators":
            continue
        if not str(entry.get(key) or "").strip():
            what = "Vietnamese name" if key == "name_vi" else key
            raise _fail(path, where, f"missing {what} ('{key}')")
    ids = entry.get("indicators")
    if not isinstance(ids, list) or not ids:
        raise _fail(path, where, "no indicators; list at least one catalogue id")
    unknown = [str(i) for i in ids if str(i) not in known]
    if unknown:
        raise _fail(
            path, where,
            f"unknown indicator id(s) {unknown}; use ids of config/indicators.csv",
        )  # fmt: skip
    return {**{k: str(entry[k]).strip() for k in GROUP_COLUMNS}, "indicators": ids}


def _groups(path: Path, entries: object, cat: Catalogue) -> tuple[pd.DataFrame, pd.Series]:
    """Groups table and indicator → group mapping of a ``groups`` list."""
    if not isinstance(entries, list) or not entries:
        raise _fail(path, "groups", "must be a non-empty list of groups")
    known = set(cat.indicators.index.astype(str))
    rows, mapping = [], {}
    for pos, entry in enumerate(entries, start=1):
        group = _group(path, pos, entry, known)
        if any(r["code"] == group["code"] for r in rows):
            raise _fail(path, f"group {pos} ('{group['code']}')", "duplicate code")
        for ind in map(str, group.pop("indicators")):
            if ind in mapping:
                raise _fail(
                    path, f"group {pos} ('{group['code']}')",
                    f"indicator '{ind}' is already in group '{mapping[ind]}'",
                )  # fmt: skip
            mapping[ind] = group["code"]
        rows.append(group)
    table = pd.DataFrame(rows, columns=GROUP_COLUMNS).set_index("code", drop=False)
    return table, pd.Series(mapping, name="group", dtype=str)


def _from_catalogue(path: Path, column: object, cat: Catalogue) -> tuple[pd.DataFrame, pd.Series]:
    """Groups taken from the catalogue's characteristics (``groups_from``)."""
    if column not in GROUPS_FROM:
        raise _fail(path, "groups_from", f"{column!r}; allowed: {', '.join(GROUPS_FROM)}")
    chars = cat.characteristics
    table = pd.DataFrame(
        {
            "code": chars["code"].astype(str),
            "name": chars["name"].astype(str),
            "name_vi": chars["name_vi"].astype(str),
            "description": "",
        }
    ).set_index("code", drop=False)
    mapping = cat.indicators["characteristic"].astype(str).rename("group")
    order = {c: i for i, c in enumerate(table.index)}
    mapping = mapping.iloc[mapping.map(order).argsort(kind="stable")]
    return table, mapping


def read_framework(path: Path | str, catalogue: Catalogue | None = None) -> Framework:
    """Load and validate one framework file.

    Parameters
    ----------
    path : path-like
        The YAML file.
    catalogue : Catalogue, optional
        Indicator ids are checked against it (default: the package catalogue).

    Raises
    ------
    FrameworkError
        Naming the file and the entry: unreadable file or YAML, a missing key, unknown
        country, a group without indicators, an unknown indicator id, a duplicate group code,
        an indicator in two groups, a missing name or Vietnamese name.
    """
    path = Path(path)
    if not path.is_file():
        raise FrameworkError(f"framework file {path}: not found")
    doc = _read(path)
    cat = catalogue or load_catalogue()
    if "groups" in doc:
        groups, mapping = _groups(path, doc["groups"], cat)
    else:
        groups, mapping = _from_catalogue(path, doc["groups_from"], cat)
    return Framework(
        name=str(doc["name"]).strip(),
        title=str(doc["title"]).strip(),
        title_vi=str(doc["title_vi"]).strip(),
        group_label=str(doc["group_label"]).strip(),
        group_label_vi=str(doc["group_label_vi"]).strip(),
        countries=_countries(path, doc["countries"]),
        groups=groups,
        mapping=mapping,
        path=path.resolve(),
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
    )


def _search_dirs(data_dir: Path | str | None) -> list[Path]:
    """Where a framework name is looked up: the package's folder, then the data folder's."""
    dirs = [FRAMEWORKS_DIR]
    if data_dir:
        dirs.append(Path(data_dir) / DATA_FRAMEWORKS_SUBDIR)
    return dirs


def available_frameworks(data_dir: Path | str | None = None) -> list[str]:
    """Names of the frameworks found by name (package folder first, then the data folder's)."""
    names: list[str] = []
    for folder in _search_dirs(data_dir):
        if folder.is_dir():
            found = sorted(p.stem for p in folder.glob(f"*{FRAMEWORK_SUFFIX}"))
            names.extend(n for n in found if n not in names)
    return names


def find_framework(spec: str | Path, data_dir: Path | str | None = None) -> Path:
    """The file of framework ``spec``: a name, or a path to a YAML file.

    A name (no folder, no ``.yaml``/``.yml`` suffix) is looked up in ``config/frameworks/``
    and then in ``<data_dir>/frameworks/``; anything else is taken as a path.

    Raises
    ------
    FrameworkError
        Nothing found; the message lists the names available.
    """
    text = str(spec or DEFAULT_FRAMEWORK).strip()
    as_path = Path(text).expanduser()
    if as_path.suffix in (".yaml", ".yml") or len(as_path.parts) > 1:
        if not as_path.is_file():
            raise FrameworkError(f"framework file {as_path}: not found")
        return as_path.resolve()
    for folder in _search_dirs(data_dir):
        candidate = folder / f"{text}{FRAMEWORK_SUFFIX}"
        if candidate.is_file():
            return candidate.resolve()
    known = ", ".join(available_frameworks(data_dir)) or "none"
    raise FrameworkError(
        f"unknown framework {text!r}; available: {known} (or give the path of a YAML file)"
    )


def load_framework(
    spec: str | Path = DEFAULT_FRAMEWORK,
    data_dir: Path | str | None = None,
    catalogue: Catalogue | None = None,
) -> Framework:
    """Find (:func:`find_framework`) and validate (:func:`read_framework`) a framework."""
    return read_framework(find_framework(spec, data_dir), catalogue)


def label_groups(
    frame: pd.DataFrame, framework: Framework, lang: str = "en", keep_all: bool = False
) -> pd.DataFrame:
    """Add the framework's ``group`` and ``group_name`` to an indicator-level frame.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows with an ``indicator`` column: an assessment, an availability grid, …
    framework : Framework
    lang : {"en", "vi"}
        Language of ``group_name``.
    keep_all : bool
        Keep rows whose indicator is in no group (``group`` then missing); by default they
        are dropped, so a national framework shows only its own indicators.

    Returns
    -------
    pandas.DataFrame
        A copy, rows ordered by group (framework order), then by their order in ``frame``.
    """
    if "indicator" not in frame.columns:
        raise ValueError("frame has no 'indicator' column; cannot label it with groups")
    out = frame.copy()
    out["group"] = out["indicator"].astype(str).map(framework.mapping).astype("string")
    out["group_name"] = out["group"].map(framework.group_names(lang)).astype("string")
    if not keep_all:
        out = out.loc[out["group"].notna()]
    order = {c: i for i, c in enumerate(framework.groups.index)}
    rank = out["group"].map(order).astype("float").fillna(len(order))
    return out.iloc[rank.argsort(kind="stable").to_numpy()]

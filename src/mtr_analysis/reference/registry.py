"""ASEAN Member States: codes, display names and name-to-ISO3 harmonisation.

The registry is data (``config/member_states.yaml``). Harmonisation maps names, ISO2/ISO3
codes and M49 codes (numeric or zero-padded) to ISO3, and reports both ways: names it could
not map, and names it recognised as regional aggregates or income groups (which are never
treated as countries).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from mtr_analysis import yaml_io
from mtr_analysis.paths import REGISTRY_FILE


@dataclass(frozen=True)
class MemberState:
    """One ASEAN Member State (or optional member)."""

    iso3: str
    iso2: str
    m49: int
    name: str
    name_vi: str
    aliases: tuple[str, ...]
    optional: bool = False


@dataclass
class Harmonisation:
    """Result of :func:`harmonise`: one ISO3 (or ``None``) per input, and the leftovers.

    Attributes
    ----------
    iso3 : pandas.Series
        ISO3 code per input position; missing where the input is not a member state.
    unmapped : list of str
        Distinct inputs that are neither a member state nor a known aggregate.
    aggregates : list of str
        Distinct inputs recognised as regional aggregates or income groups.
    """

    iso3: pd.Series
    unmapped: list[str] = field(default_factory=list)
    aggregates: list[str] = field(default_factory=list)


#: Characters that a copy from a web page or Word leaves invisibly inside codes and names:
#: zero-width space/non-joiner/joiner, word joiner, BOM, soft hyphen and direction marks.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
#: Spaces that look like a space but are not one (no-break, narrow, figure, ideographic).
_ODD_SPACE = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000]")


def clean_text(value: object) -> str:
    """Text of a code or name without invisible characters and with plain spaces, stripped.

    "VNM\u200b" → "VNM", "Viet\u00a0Nam" → "Viet Nam". Used on every country and series
    key read from a file; :mod:`mtr_analysis.intake.build` lists the keys it changed.
    """
    text = _INVISIBLE.sub("", str(value))
    return _ODD_SPACE.sub(" ", text).strip()


def normalise_name(name: object) -> str:
    """Lower-case, strip accents and punctuation, collapse spaces ("Việt Nam" → "viet nam").

    Invisible characters are removed first (:func:`clean_text`), so "V\u200bNM" is "vnm".
    """
    if isinstance(name, float) and name.is_integer():
        name = int(name)  # an M49 code read from Excel as 96.0
    text = clean_text(name)
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("đ", "d").replace("Đ", "D").lower()
    text = re.sub(r"\[[^\]]*\]", " ", text)  # "Cambodia [KH]" -> "Cambodia"
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


@lru_cache(maxsize=4)
def _load(path: Path = REGISTRY_FILE) -> tuple[tuple[MemberState, ...], frozenset, frozenset]:
    raw = yaml_io.load(path.read_text(encoding="utf-8"))
    states = tuple(
        MemberState(
            iso3=m["iso3"],
            iso2=m["iso2"],
            m49=int(m["m49"]),
            name=m["name"],
            name_vi=m["name_vi"],
            aliases=tuple(m.get("aliases", [])),
            optional=bool(m.get("optional", False)),
        )
        for m in raw["members"]
    )
    agg_names = frozenset(normalise_name(n) for n in raw.get("aggregate_names", []))
    markers = frozenset(normalise_name(n) or n for n in raw.get("aggregate_markers", []))
    return states, agg_names, markers


def member_states(include_optional: bool = False) -> list[MemberState]:
    """The member states in ISO3 order; Timor-Leste only when ``include_optional``."""
    states, _, _ = _load()
    return sorted((s for s in states if include_optional or not s.optional), key=lambda s: s.iso3)


def iso3_codes(include_optional: bool = False) -> list[str]:
    """ISO3 codes of the member states, sorted (10 by default, 11 with Timor-Leste)."""
    return [s.iso3 for s in member_states(include_optional)]


def get(iso3: str) -> MemberState:
    """The member state with this ISO3 code; ``KeyError`` listing the known codes otherwise."""
    for s in member_states(include_optional=True):
        if s.iso3 == str(iso3).upper():
            return s
    raise KeyError(f"unknown member state {iso3!r}; known: {', '.join(iso3_codes(True))}")


def display_name(iso3: str, lang: str = "en") -> str:
    """ASEAN official short name ("Lao PDR", "Viet Nam"), or the Vietnamese name."""
    s = get(iso3)
    return s.name_vi if lang == "vi" else s.name


@lru_cache(maxsize=2)
def _lookup(include_optional: bool) -> dict[str, str]:
    table: dict[str, str] = {}
    for s in member_states(include_optional):
        keys = [s.iso3, s.iso2, s.name, s.name_vi, *s.aliases, str(s.m49), f"{s.m49:03d}"]
        for k in keys:
            table[normalise_name(k)] = s.iso3
    return table


def is_aggregate(name: object) -> bool:
    """True when a name is a regional aggregate or income group (never a country)."""
    _, agg_names, markers = _load()
    norm = normalise_name(name)
    if norm in agg_names:
        return True
    words = set(norm.split())
    return any(m in words for m in markers if " " not in m) or "&" in str(name)


def harmonise(values: Iterable[object], include_optional: bool = False) -> Harmonisation:
    """Map country names or codes to ISO3 and report what could not be mapped.

    Parameters
    ----------
    values : iterable
        Names ("Vietnam", "Lao People's Democratic Republic", "Cambodia [KH]"), ISO2/ISO3
        codes, or M49 codes (``704`` or ``"704"`` or ``"096"``).
    include_optional : bool
        Also map optional members (Timor-Leste).

    Returns
    -------
    Harmonisation
        ``iso3`` aligned with the input; ``aggregates`` and ``unmapped`` list distinct names.
        Optional members that are excluded count as neither: they are known countries
        outside the scope.
    """
    values = list(values)
    table = _lookup(include_optional)
    full = _lookup(True)
    out: list[str | None] = []
    unmapped: dict[str, None] = {}
    aggregates: dict[str, None] = {}
    for v in values:
        if v is None or (isinstance(v, float) and pd.isna(v)):
            out.append(None)
            continue
        key = normalise_name(v)
        code = table.get(key)
        out.append(code)
        if code is None and key not in full:
            if is_aggregate(v):
                aggregates[str(v)] = None
            else:
                unmapped[str(v)] = None
    return Harmonisation(
        iso3=pd.Series(out, dtype="object"),
        unmapped=list(unmapped),
        aggregates=list(aggregates),
    )


def to_iso3(value: object, include_optional: bool = False) -> str | None:
    """ISO3 for one name or code, ``None`` if it is not a (selected) member state."""
    return _lookup(include_optional).get(normalise_name(value))


def parse_countries(spec: str | Iterable[str], include_optional: bool = False) -> list[str]:
    """Parse ``"all"`` or ``"VNM,THA"`` (names allowed) into ISO3 codes.

    Raises
    ------
    ValueError
        Naming every entry that is not a member state, and listing the allowed codes.
    """
    if isinstance(spec, str):
        if spec.strip().lower() == "all":
            return iso3_codes(include_optional)
        items = [s.strip() for s in spec.split(",") if s.strip()]
    else:
        items = list(spec)
    codes, bad = [], []
    for item in items:
        code = to_iso3(item, include_optional=True)
        # Naming an optional member (Timor-Leste) explicitly selects it.
        if code is None:
            bad.append(item)
        elif code not in codes:
            codes.append(code)
    if bad or not codes:
        raise ValueError(
            f"unknown country {', '.join(map(repr, bad)) or '(none given)'}; "
            f"use 'all' or ISO3 codes from: {', '.join(iso3_codes(True))}"
        )
    return codes


@lru_cache(maxsize=1)
def _renamed(path: Path = REGISTRY_FILE) -> dict[str, str]:
    """Normalised name → ISO3 of the non-member economies known under several names."""
    raw = yaml_io.load(path.read_text(encoding="utf-8"))
    table: dict[str, str] = {}
    for iso3, names in (raw.get("renamed_economies") or {}).items():
        for n in [iso3, *names]:
            table[normalise_name(n)] = iso3
    return table


def economy_iso3(value: object) -> str | None:
    """ISO3 of a member state (Timor-Leste included) or of a non-member economy known under
    more than one name (``renamed_economies`` in ``config/member_states.yaml``), else
    ``None``.

    Names before and after a rename give the same code: "Vietnam" and "Viet Nam" → VNM,
    "Turkey" and "Türkiye" → TUR, "Swaziland" and "Eswatini" → SWZ. Membership is still
    decided by :func:`to_iso3` alone.
    """
    return to_iso3(value, include_optional=True) or _renamed().get(normalise_name(value))

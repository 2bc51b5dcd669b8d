"""Words of the reports in English and Vietnamese (``lang="en"`` / ``lang="vi"``).

Every heading, lead paragraph, table column header, status and gap label, chart text and
generated sentence that the country profile, the regional synthesis and the index page
show lives in one word catalogue per language, ``reporting/words/<lang>.yaml``, which a
translator edits without reading Python. ``mtr run --lang vi`` thus translates the whole
report and no other module hard-codes report words. Vietnamese terms follow the review's
glossary (product spec, section 8): *chỉ số* (indicator), *đặc điểm / thành tố*
(characteristic / element), *khoảng trống dữ liệu* (data gap), *giá trị cơ sở* (baseline),
*mục tiêu* (target), *đúng tiến độ / cần đẩy nhanh / thụt lùi* (on track / needs
acceleration / regression), *phát hiện, kết luận, khuyến nghị* (findings, conclusions,
recommendations), *báo cáo khu vực / báo cáo quốc gia* (regional / national report).

The catalogues are read once, when this module is imported, and checked by
:func:`load_words`: every language has the same sections and keys, and each text has the
same ``{placeholders}`` in every language. A text that depends on a count has the forms
``one`` and ``other`` (English); a language without plural forms gives a single text,
used for both.

Examples
--------
>>> text("summary", "vi")
'Tóm tắt'
>>> column_labels(["indicator", "status"], "vi")
{'indicator': 'Chỉ số', 'status': 'Tình trạng'}
>>> status_label("on_track", "vi")
'đúng tiến độ'
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from mtr_analysis import yaml_io
from mtr_analysis.paths import WORDS_DIR

if TYPE_CHECKING:  # workers render reports without importing pandas
    from mtr_analysis.reference.catalogue import Catalogue

#: Languages of the reports; each has a word catalogue ``words/<lang>.yaml``.
LANGS: tuple[str, ...] = ("en", "vi")
#: Sections of a word catalogue, in file order.
SECTIONS: tuple[str, ...] = (
    "text",  # headings, leads and short labels of the reports and the index page
    "status",  # progress statuses (analysis.status.STATUS_ORDER)
    "columns",  # table column headers, by column name
    "gaps",  # data-gap categories (analysis.gaps.GAP_CATEGORIES)
    "figures",  # chart titles, axes and legends
    "findings",  # sentence templates of the findings
    "beneficiaries",  # pieces of the "Who benefited" sentences
)
#: Keys of a text with plural forms: ``one`` (count 1) and ``other``.
PLURAL_FORMS: tuple[str, ...] = ("one", "other")

#: A text, or its ``(one, other)`` plural forms.
Words = str | tuple[str, str]


class WordsError(ValueError):
    """A word catalogue is missing, malformed or does not match the other languages."""


def check_lang(lang: str) -> str:
    """Return ``lang`` if supported.

    Raises
    ------
    ValueError
        Naming the argument and the allowed values.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}; got {lang!r}")
    return lang


def capitalised(text: str) -> str:
    """First letter upper-cased, the rest unchanged ("đúng tiến độ" → "Đúng tiến độ")."""
    return text[:1].upper() + text[1:]


# --------------------------------------------------------------------------- loading
def _read_catalogue(path: Path) -> dict[str, dict[str, object]]:
    """One YAML word catalogue, checked to hold exactly :data:`SECTIONS` of key → text."""
    if not path.is_file():
        raise WordsError(f"{path}: word catalogue not found")
    data = yaml_io.load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or set(data) != set(SECTIONS):
        found = sorted(data) if isinstance(data, dict) else type(data).__name__
        raise WordsError(f"{path}: sections must be {', '.join(SECTIONS)}; found {found}")
    for section, entries in data.items():
        if not isinstance(entries, dict):
            raise WordsError(f"{path}: section {section!r} must map keys to texts")
        # YAML 1.1 reads unquoted yes/no/on/off keys as booleans: they must be quoted.
        odd = [key for key in entries if not isinstance(key, str)]
        if odd:
            raise WordsError(f"{path}, section {section!r}: put the keys {odd} in quotes")
    return data


def _entry(value: object, where: str) -> Words:
    """A text as read from YAML: a string, or a mapping of the plural forms."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == set(PLURAL_FORMS):
        forms = tuple(value[f] for f in PLURAL_FORMS)
        if all(isinstance(f, str) for f in forms):
            return forms  # type: ignore[return-value]
    raise WordsError(
        f"{where}: expected a text in double quotes or the forms {', '.join(PLURAL_FORMS)}; "
        f"got {value!r}"
    )


def placeholders(words: Words) -> set[tuple[str, str]]:
    """``(name, format spec)`` of every ``{placeholder}`` in a text or its plural forms."""
    forms = (words,) if isinstance(words, str) else words
    return {
        (name, spec or "")
        for form in forms
        for _, name, spec, _ in string.Formatter().parse(form)
        if name is not None
    }


def _check_same_keys(catalogues: Mapping[str, Mapping[str, Mapping[str, Words]]]) -> None:
    """Every language has the keys of the first, with the same placeholders."""
    first, *others = catalogues
    for section in SECTIONS:
        reference = catalogues[first][section]
        for lang in others:
            entries = catalogues[lang][section]
            missing, extra = set(reference) - set(entries), set(entries) - set(reference)
            if missing or extra:
                raise WordsError(
                    f"words/{lang}.yaml, section {section!r}: keys differ from {first}.yaml "
                    f"(missing: {sorted(missing)}, extra: {sorted(extra)})"
                )
            for key, words in reference.items():
                if placeholders(entries[key]) != placeholders(words):
                    raise WordsError(
                        f"words/{lang}.yaml, {section}.{key}: placeholders "
                        f"{sorted(placeholders(entries[key]))} differ from {first}.yaml "
                        f"{sorted(placeholders(words))}"
                    )


def _unify_plurals(catalogues: dict[str, dict[str, dict[str, Words]]]) -> None:
    """Where any language has plural forms, a single text elsewhere serves both forms."""
    for section in SECTIONS:
        plural = {
            key
            for entries in catalogues.values()
            for key, words in entries[section].items()
            if isinstance(words, tuple)
        }
        for entries in catalogues.values():
            for key in plural & set(entries[section]):
                words = entries[section][key]
                if isinstance(words, str):
                    entries[section][key] = (words, words)


def load_words(
    directory: Path | str = WORDS_DIR, langs: Iterable[str] = LANGS
) -> dict[str, dict[str, dict[str, Words]]]:
    """Read and check the word catalogues ``<directory>/<lang>.yaml``.

    Parameters
    ----------
    directory : path
        Folder of the catalogues (default: the package's :data:`WORDS_DIR`).
    langs : iterable of str
        Languages to read; the first is the reference for the checks.

    Returns
    -------
    dict
        ``lang → section → key → text``; texts with plural forms are ``(one, other)``
        tuples in every language.

    Raises
    ------
    WordsError
        A file is missing or malformed, or the languages differ in sections, keys or
        placeholders (the message names the file and key).
    """
    directory = Path(directory)
    catalogues: dict[str, dict[str, dict[str, Words]]] = {}
    for lang in langs:
        path = directory / f"{lang}.yaml"
        raw = _read_catalogue(path)
        catalogues[lang] = {
            section: {
                key: _entry(value, f"{path}, {section}.{key}")
                for key, value in raw[section].items()
            }
            for section in SECTIONS
        }
    _unify_plurals(catalogues)
    _check_same_keys(catalogues)
    return catalogues


_WORDS = load_words()


def words(section: str, lang: str = "en") -> dict[str, Words]:
    """All texts of one catalogue section in ``lang`` (e.g. ``words("findings", "vi")``).

    Raises
    ------
    ValueError
        Unknown ``lang``.
    KeyError
        Unknown ``section`` (naming it).
    """
    if section not in SECTIONS:
        raise KeyError(f"no word catalogue section {section!r}; one of {', '.join(SECTIONS)}")
    return _WORDS[check_lang(lang)][section]


def _flat(section: str) -> dict[str, dict[str, str]]:
    """``lang → key → text`` of a section without plural forms."""
    return {lang: {k: str(v) for k, v in _WORDS[lang][section].items()} for lang in LANGS}


#: Headings, lead paragraphs and short labels of the reports and the index page.
TEXT: dict[str, dict[str, str]] = _flat("text")
#: Labels of the progress statuses (legends, tables, sentences), lower case.
STATUS_LABELS: dict[str, dict[str, str]] = _flat("status")
#: Table column headers, by column name; status-count columns are headed by the
#: capitalised status labels.
COLUMNS: dict[str, dict[str, str]] = {
    lang: _flat("columns")[lang] | {k: capitalised(v) for k, v in STATUS_LABELS[lang].items()}
    for lang in LANGS
}
#: Labels of ``gaps.availability``'s ``gap_category`` values.
GAP_LABELS: dict[str, dict[str, str]] = _flat("gaps")


# --------------------------------------------------------------------------- look-ups
def text(key: str, lang: str = "en", **fields: object) -> str:
    """The report text ``key`` in ``lang``, formatted with ``fields``.

    Parameters
    ----------
    key : str
        A key of the ``text`` section (e.g. ``"summary"``).
    lang : {"en", "vi"}
    **fields
        Values for the ``{placeholders}`` of the text.

    Returns
    -------
    str
        Plain text (not escaped: escape it when writing HTML).

    Raises
    ------
    ValueError
        Unknown ``lang``.
    KeyError
        Unknown ``key`` (naming it).
    """
    table = TEXT[check_lang(lang)]
    if key not in table:
        raise KeyError(f"no report text {key!r}")
    value = table[key]
    return value.format(**fields) if fields else value


def column_labels(columns: Iterable[str], lang: str = "en") -> dict[str, str]:
    """Mapping of the given column names to their display headers (unknown names kept).

    Examples
    --------
    >>> column_labels(["year", "zzz"], "en")
    {'year': 'Year', 'zzz': 'zzz'}
    """
    table = COLUMNS[check_lang(lang)]
    return {str(c): table.get(str(c), str(c)) for c in columns}


def gap_label(category: str, lang: str = "en") -> str:
    """Display label of a ``gap_category`` value (unknown values returned as they are)."""
    return GAP_LABELS[check_lang(lang)].get(str(category), str(category))


def status_label(status: str, lang: str = "en") -> str:
    """Display label of a progress status, lower case (unknown values returned as they are)."""
    return STATUS_LABELS[check_lang(lang)].get(str(status), str(status))


def indicator_name(catalogue: Catalogue, indicator: str, lang: str = "en") -> str:
    """Display name of a catalogue indicator in ``lang``: the one place reports get it.

    English is the catalogue's ``name``, Vietnamese its ``name_vi`` (terms of the glossary
    in the product spec, section 8). Unknown ids are returned unchanged.
    """
    return catalogue.name(str(indicator), check_lang(lang))


def indicator_unit(catalogue: Catalogue, indicator: str, lang: str = "en") -> str:
    """Unit of a catalogue indicator in ``lang`` (``unit`` / ``unit_vi``; ``""`` if unknown)."""
    return catalogue.unit(str(indicator), check_lang(lang))

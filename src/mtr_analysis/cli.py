"""The ``mtr`` command line: demo → build → run, plus the national template tools.

Run ``mtr <command> --help`` for the options of each command.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mtr_analysis import paths

if TYPE_CHECKING:
    from mtr_analysis.intake.build import FileIntake

#: Exit code of ``mtr build`` and ``mtr validate`` when a file could not be read or a value
#: was rejected (1 stays "a run failed", 2 "bad usage").
DATA_PROBLEMS = 3

EPILOG = """typical use:
  mtr demo                                   # synthetic inputs in data/raw/demo
  mtr build --raw data/raw/demo              # tidy store in data/processed
  mtr run --review mid-term --countries all  # reports in outputs/mid-term/index.html
"""


def _cmd_demo(args: argparse.Namespace) -> int:
    from mtr_analysis.intake.demo import write_demo

    files = write_demo(args.out)
    print(f"wrote {len(files)} demo files (synthetic, not official statistics) to {args.out}")
    return 0


def _file_line(f: FileIntake) -> str:
    """One line per input file for ``mtr build``: counts, or why it was not read."""
    if f.error:
        return f"  NOT READ {f.path}: {f.error}"
    line = (
        f"  {f.path}: {f.records_read} read, {f.accepted} accepted, {f.rejected} rejected, "
        f"{f.out_of_scope} out of scope"
    )
    extras = [*f.notes, *(f"{k['column']} {k['found']} read as {k['read_as']!r}"
                         for k in f.normalised_keys)]  # fmt: skip
    return line + (f" ({'; '.join(extras)})" if extras else "")


def build_exit_code(files: list[FileIntake], allow_rejects: bool) -> int:
    """0 for a clean build; :data:`DATA_PROBLEMS` when a data file could not be read, or a
    value was rejected unless ``allow_rejects`` (unreadable files always count)."""
    unreadable = any(f.error and f.format not in (None, "documentation") for f in files)
    unknown = any(f.format is None for f in files)
    rejected = any(f.rejected for f in files)
    if unreadable or unknown or (rejected and not allow_rejects):
        return DATA_PROBLEMS
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from mtr_analysis.intake import intake_report
    from mtr_analysis.intake.build import INTAKE_HTML, build

    raw = args.raw or [paths.RAW_DIR]
    result = build(
        raw,
        args.out,
        include_optional=args.include_timor_leste,
        progress=not args.quiet,
        priority=args.priority,
    )
    t = result.intake["totals"]
    for f in result.files:
        if f.format != "documentation" and (f.records_read or f.error or f.format is None):
            print(_file_line(f))
    print(
        f"{t['files']} files, {t['records_read']} records: {t['accepted']} accepted, "
        f"{t['rejected']} rejected, {t['out_of_scope']} out of scope; "
        f"{t['selected']} values selected for analysis"
    )
    print(
        f"{t['unmapped_series']} series not in the catalogue (kept, not analysed), "
        f"{t['conflicts']} conflicting values (between sources, resubmissions or within a "
        f"file; {paths.CONFLICTS_FILE}), {t['revisions']} revisions, "
        f"{t['carried_forward']} carried-forward values flagged"
    )
    for line in intake_report.coverage_lines(result.intake.get("coverage", {})):
        print(line)
    out = Path(args.out)
    print(f"store: {out / paths.OBSERVATIONS_FILE}")
    print(f"intake report: {out / INTAKE_HTML} ({paths.INTAKE_FILE}, {paths.REJECTS_FILE})")
    code = build_exit_code(result.files, args.allow_rejects)
    if code:
        bad = sum(1 for f in result.files if f.error)
        print(
            f"mtr build: {bad} file(s) not read, {t['rejected']} value(s) rejected "
            f"(exit {code}; see {out / paths.REJECTS_FILE}"
            + ("" if args.allow_rejects else "; --allow-rejects accepts rejected values")
            + ")",
            file=sys.stderr,
        )
    return code


def _cmd_run(args: argparse.Namespace) -> int:
    from mtr_analysis.intake import store
    from mtr_analysis.reference import registry
    from mtr_analysis.run import runner
    from mtr_analysis.settings import load_settings

    load_settings(args.settings, method=args.method)  # a bad settings file fails first
    countries = registry.parse_countries(args.countries, include_optional=args.include_timor_leste)
    obs = store.read_store(args.data)  # fail early, before any notebook starts
    summary = runner.run_reports(
        countries=countries,
        review=args.review,
        data_dir=Path(args.data).resolve(),
        out_dir=Path(args.out).resolve(),
        jobs=args.jobs,
        lang=args.lang,
        with_code=args.with_code,
        demo=store.is_demo(obs),
        use_cache=not args.no_cache,
        settings_file=args.settings.resolve() if args.settings else None,
        method=args.method,
        framework=args.framework,
        as_of=args.as_of,
        horizon_year=args.horizon,
    )
    failed = [r for r in summary.results if r.status == "failed"]
    stopped = [r for r in summary.results if r.status == "interrupted"]
    reused = sum(r.cached for r in summary.results)
    print(
        f"{len(summary.results) - len(failed) - len(stopped)} report(s) ok ({reused} reused, "
        f"inputs unchanged), {len(failed)} failed, {summary.seconds:.1f} s"
    )
    for r in failed:
        print(f"  FAILED {r.name}: {r.error}")
    print(f"open {summary.index_path}")
    if summary.interrupted:  # the shell's convention: 128 + signal number (130, 143)
        print(
            f"mtr run: interrupted by {summary.interrupted}: {len(stopped)} report(s) not "
            "finished (marked interrupted in the index)",
            file=sys.stderr,
        )
        return 128 + signal.Signals[summary.interrupted].value
    return 0 if summary.ok else 1


def _cmd_template(args: argparse.Namespace) -> int:
    from mtr_analysis.intake.sources import national

    if args.kind == "activities":
        return _activity_template(args)
    if not args.country:
        print("mtr template: --country is required for --kind national", file=sys.stderr)
        return 2
    path = national.write_template(args.country, args.out)
    print(f"wrote {path}")
    return 0


def _activity_template(args: argparse.Namespace) -> int:
    """``mtr template --kind activities``: one unit's activity reporting workbook."""
    from mtr_analysis.intake import activity_template
    from mtr_analysis.intake.demo_activities import default_register
    from mtr_analysis.intake.plan_register import RegisterError, read_register
    from mtr_analysis.reference.units import load_units

    if not args.unit or args.period is None:
        print("mtr template: --kind activities needs --unit and --period", file=sys.stderr)
        return 2
    units = load_units()
    args.unit = units.canonical(args.unit)
    if not units.is_known(args.unit):
        print(f"mtr template: unknown reporting unit {args.unit!r}", file=sys.stderr)
        return 2
    register_file = args.register or default_register(args.unit, units)
    if not Path(register_file).is_file():
        print(
            f"mtr template: no plan register at {register_file} "
            "(pass --register FILE, or run `mtr demo` for the demo register)",
            file=sys.stderr,
        )
        return 2
    try:
        register = read_register(register_file, units=units)
    except (RegisterError, OSError) as exc:
        print(f"mtr template: {exc}", file=sys.stderr)
        return 2
    path = activity_template.write(args.unit, args.period, args.out, register, units)
    n = len(activity_template.unit_activities(register, args.unit, args.period, units))
    print(f"wrote {path} ({n} activities of {args.unit} for {args.period}, from {register_file})")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from mtr_analysis.intake.build import detect, is_archive

    path = Path(args.file)
    if not path.is_file():
        print(f"{path}: no such file", file=sys.stderr)
        return 2
    if is_archive(path):
        return _validate_archive(path)
    fmt, why = detect(path)
    if fmt in ("plan_register", "activity_report"):  # implementation tracking (issue 12)
        from mtr_analysis.intake.activities import validate_path

        lines, ok = validate_path(path)
        print("\n".join(lines))
        return 0 if ok else DATA_PROBLEMS
    return _validate_data_file(path, path.parent, fmt, why)


def _validate_archive(path: Path) -> int:
    """``mtr validate`` of a zip download: each member checked as its own file."""
    import tempfile

    from mtr_analysis.intake.build import detect, expand_archives

    worst = 0
    with tempfile.TemporaryDirectory(prefix="mtr-validate-") as work:
        problems: dict[Path, str] = {}
        walk = expand_archives([(path, path.parent)], Path(work), problems)
        if walk == [(path, path.parent, path.parent)]:
            print(f"{path}: a zip file that cannot be opened (damaged or encrypted)")
            return DATA_PROBLEMS
        print(f"{path.name}: zip archive with {len(walk)} member(s) to check")
        for member, base, _ in walk:
            if member in problems:
                print(f"{member.relative_to(base)}: {problems[member]}")
                worst = DATA_PROBLEMS
                continue
            worst = max(worst, _validate_data_file(member, base, *detect(member)))
    return worst


def _validate_data_file(path: Path, root: Path, fmt: str | None, why: str) -> int:
    """Read one data file (or zip member, named relative to ``root``) and print its problems."""
    from mtr_analysis.intake.build import normalised_keys, read_file
    from mtr_analysis.intake.sources import readers
    from mtr_analysis.intake.sources.text import text_notes
    from mtr_analysis.reference.catalogue import load_catalogue

    name = str(path.relative_to(root))
    if fmt is not None and fmt not in readers():  # WDI metadata, DataBank definitions
        print(f"{name} ({fmt}): documentation of a download, no values to check")
        return 0
    if fmt not in readers():
        print(f"{name}: not a readable data file ({why or fmt})", file=sys.stderr)
        return DATA_PROBLEMS
    try:
        records, t = read_file(path, root, fmt, load_catalogue())
    except Exception as exc:  # the reader names the sheet/cell; show it, do not crash
        print(f"{name}: {exc}")
        print(f"{name} ({fmt}): cannot be read; fix the problem(s) above")
        return DATA_PROBLEMS
    for note in text_notes(path):
        print(f"{name}: {note}")
    tallied = int(t.tallied.sum())  # cells of non-member economies, counted, not recorded
    for k in normalised_keys(records).itertuples():
        print(f"{name}: {k.column} {k.found} read as {k.read_as!r} ({k.records} values)")
    for r in t.rejects.itertuples():
        print(f"{r.file}, {r.locator}: {r.reason}")
    print(
        f"{name} ({fmt}): {len(records) + tallied} values, {len(t.observations)} valid, "
        f"{len(t.rejects)} problem(s), {len(t.out_of_scope) + tallied} out of scope"
    )
    return DATA_PROBLEMS if len(t.rejects) else 0


def _cmd_fetch(args: argparse.Namespace) -> int:
    from mtr_analysis.intake import fetch

    series = [c.strip() for c in args.series.split(",") if c.strip()] if args.series else None
    report = fetch.fetch(
        source=args.source,
        out_dir=args.out,
        countries=args.countries,
        series=series,
        start=args.start,
        end=args.end,
        log=print,
    )
    ok = [i for i in report.items if i.status == "ok"]
    empty = [i for i in report.items if i.status == "empty"]
    print(
        f"{len(ok)} series written, {len(empty)} without values for these countries, "
        f"{len(report.failed)} failed; files in {args.out} (read them with "
        f"`mtr build --raw {args.out}`)"
    )
    for i in report.failed:
        print(f"  FAILED {i.source} {i.series}: {i.message}", file=sys.stderr)
    return 0 if report.ok else 1


def _cmd_snapshot(args: argparse.Namespace) -> int:
    from mtr_analysis.intake.snapshot import make_snapshot

    result = make_snapshot(args.source, args.out)
    kept = [f for f in result.files if f.out]
    print(
        f"snapshot of {result.vintage or 'unknown vintage'}: {len(kept)} files "
        f"({result.size / 1e6:.1f} MB) in {args.out}, "
        f"{len(result.files) - len(kept)} left out (see {paths.SNAPSHOT_PROVENANCE})"
    )
    return 0


def _add_snapshot_parser(sub: Any) -> None:
    """The options of ``mtr snapshot``."""
    s = sub.add_parser(
        "snapshot",
        help="keep the member-state rows of real downloads (the default data of make report)",
        description="Copy the rows of the member states and Timor-Leste of every download "
        "under --from into --out, in the original formats, with a PROVENANCE.md.",
    )
    s.add_argument(
        "--from",
        dest="source",
        type=Path,
        default=paths.SHARED_REAL_DIR,
        help="real downloads or a `mtr fetch` folder (default %(default)s)",
    )
    s.add_argument("--out", type=Path, default=paths.SNAPSHOT_DIR, help="default %(default)s")
    s.set_defaults(func=_cmd_snapshot)


def _add_run_parser(sub: Any) -> None:
    """The options of ``mtr run``."""
    from mtr_analysis.reporting import i18n

    s = sub.add_parser("run", help="execute and render the country and regional reports")
    s.add_argument(
        "--data", type=Path, default=paths.PROCESSED_DIR, help="store folder (default %(default)s)"
    )
    s.add_argument("--countries", default="all", help="'all' or ISO3 codes, e.g. VNM,THA")
    from mtr_analysis.reference.catalogue import load_catalogue

    reviews = list(load_catalogue().reviews)  # config/ascc_framework.yaml, not code
    s.add_argument("--review", default="mid-term", choices=reviews,
                   help="a review of config/ascc_framework.yaml; next-plan: baseline reports")  # fmt: skip
    s.add_argument(
        "--horizon",
        type=int,
        default=None,
        metavar="YEAR",
        help="baseline reviews: year the targets should be reached (default: the review's)",
    )
    s.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="notebooks run in parallel (default: the number of cores, %(default)s)",
    )
    s.add_argument("--lang", default="en", choices=list(i18n.LANGS), help="report language")
    s.add_argument(
        "--with-code",
        action="store_true",
        help="also write <name>.code.html with the code (consultant version)",
    )
    s.add_argument("--out", type=Path, default=paths.OUTPUTS_DIR, help="default %(default)s")
    s.add_argument("--include-timor-leste", action="store_true", help="allow TLS in 'all'")
    s.add_argument(
        "--no-cache",
        action="store_true",
        help="execute every notebook, even when its inputs are unchanged since the last run",
    )
    s.add_argument(
        "--settings",
        type=Path,
        help="method settings (YAML) changing keys of config/methods.yaml, e.g. "
        "availability.stale_after; shown in each report's annex and in manifest.json",
    )
    s.add_argument(
        "--method",
        choices=["unsd", "escap", "ols"],
        help="progress method: UNSD progress chart, ESCAP anticipated progress, or least "
        "squares (default: assessment.method of the settings)",
    )
    s.add_argument(
        "--framework",
        default=paths.DEFAULT_FRAMEWORK,
        help="reporting framework the reports are organised by: a name in "
        "config/frameworks/ or <data>/frameworks/ (e.g. de-an-161, Viet Nam's focus areas), "
        "or the path of a YAML file (default %(default)s)",
    )
    s.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="what we knew then: only the data vintages released by this date (or 'review': "
        "the review's data_date, 2020-10-01 for mid-term); reports go to "
        "<out>/<review>_as-of_<date>/",
    )
    s.set_defaults(func=_cmd_run)


def _add_demo_and_build_parsers(sub: Any) -> None:
    """The options of ``mtr demo`` and ``mtr build``."""
    s = sub.add_parser("demo", help="(re)generate the synthetic demo inputs")
    s.add_argument("--out", type=Path, default=paths.DEMO_DIR, help="folder (default %(default)s)")
    s.set_defaults(func=_cmd_demo)

    s = sub.add_parser(
        "build",
        help="read raw files into the tidy store, with an intake report",
        description="Read every file under the raw folders into the tidy store, with an "
        "account of every value (intake.html, rejects.csv, conflicts.csv).",
        epilog="exit codes: 0 every file read and no value rejected; 3 a file could not be "
        "read (or was not recognised) or a value was rejected; with --allow-rejects, "
        "rejected values alone give 0 but an unreadable file still gives 3; 2 bad usage.",
    )
    s.add_argument(
        "--raw", type=Path, action="append", help="raw folder (repeatable; default data/raw)"
    )
    s.add_argument("--out", type=Path, default=paths.PROCESSED_DIR, help="default %(default)s")
    s.add_argument("--include-timor-leste", action="store_true", help="keep Timor-Leste values")
    s.add_argument(
        "--priority",
        help="source priority: a YAML file like config/source_priority.yaml, or kinds in "
        "order, e.g. national,unsdg,wdi (default: config/source_priority.yaml)",
    )
    s.add_argument(
        "--allow-rejects",
        action="store_true",
        help="exit 0 even when values were rejected (they are still listed in rejects.csv); "
        "a file that could not be read still exits 3",
    )
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=_cmd_build)


def _add_template_and_validate_parsers(sub: Any) -> None:
    """The options of ``mtr template`` and ``mtr validate``."""
    s = sub.add_parser("template", help="write the national data-collection workbook")
    s.add_argument("--country", help="ISO3 code, e.g. VNM (--kind national)")
    s.add_argument(
        "--kind",
        default="national",
        choices=["national", "activities"],
        help="national data workbook (default) or a unit's activity reporting workbook",
    )
    s.add_argument("--unit", help="reporting unit code, e.g. SOMHD, VN-MOLISA, VN34-HANOI")
    s.add_argument("--period", type=int, help="reporting year, e.g. 2024 (--kind activities)")
    s.add_argument(
        "--register", type=Path, help="plan register CSV/xlsx (default: the demo register)"
    )
    s.add_argument("--out", type=Path, required=True, help="output .xlsx file")
    s.set_defaults(func=_cmd_template)

    s = sub.add_parser(
        "validate",
        help="check a filled national workbook or a download",
        epilog="exit codes: 0 every value valid; 3 the file cannot be read or a value is "
        "rejected (each listed with its cell and reason); 2 no such file.",
    )
    s.add_argument("file", type=Path)
    s.set_defaults(func=_cmd_validate)


def _add_fetch_parser(sub: Any) -> None:
    """The options of ``mtr fetch``."""
    s = sub.add_parser("fetch", help="download the catalogue's series (World Bank, UN SDG APIs)")
    s.add_argument("--source", default="all", choices=["wdi", "unsdg", "who_gho", "ilostat", "all"])
    s.add_argument(
        "--out", type=Path, default=paths.RAW_DIR / "fetched", help="default %(default)s"
    )
    s.add_argument("--countries", default="all", help="'all' or ISO3 codes, e.g. VNM,THA")
    s.add_argument("--series", help="only these series codes, comma-separated")
    s.add_argument("--start", type=int, default=2000, help="first year (default %(default)s)")
    s.add_argument("--end", type=int, default=2025, help="last year (default %(default)s)")
    s.set_defaults(func=_cmd_fetch)


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``mtr`` (exposed for tests and docs)."""
    p = argparse.ArgumentParser(
        prog="mtr",
        description="Data-gap analysis, trends and findings for the ASCC Blueprint 2025 review.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    _add_demo_and_build_parsers(sub)
    _add_run_parser(sub)

    _add_template_and_validate_parsers(sub)
    _add_fetch_parser(sub)
    _add_snapshot_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mtr`` console script; returns the exit code."""
    from mtr_analysis.run.lock import RunLocked
    from mtr_analysis.settings import SettingsError

    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except SettingsError as exc:  # one line, even for a YAML parser's multi-line message
        print(f"mtr {args.command}: settings error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    except (ValueError, FileNotFoundError, KeyError, RunLocked) as exc:
        print(f"mtr {args.command}: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    except OSError as exc:  # a file system refusal not foreseen above: one line, no traceback
        where = f": {exc.filename}" if exc.filename else ""
        print(f"mtr {args.command}: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C before any report started: nothing was written
        print(f"mtr {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

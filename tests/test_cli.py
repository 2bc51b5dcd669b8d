import subprocess
import sys

import pytest

from mtr_analysis.cli import DATA_PROBLEMS, main, parser


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for cmd in ("demo", "build", "run", "template", "validate"):
        assert cmd in out


def test_run_refuses_unknown_country_before_anything_runs(tmp_path, capsys):
    code = main(["run", "--countries", "VNM,Atlantis", "--data", str(tmp_path),
                 "--out", str(tmp_path / "out")])  # fmt: skip
    assert code == 2
    assert "unknown country 'Atlantis'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_run_without_store_says_to_build_first(tmp_path, capsys):
    assert main(["run", "--data", str(tmp_path / "none"), "--out", str(tmp_path / "o")]) == 2
    assert "run `mtr build` first" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("availability:\n  stale_after: -1\n", "availability.stale_after"),
        ("unsd:\n  thresholds: [0.95, 0.5]\n  bogus: 1\n", "unsd.bogus"),
    ],
)
def test_run_refuses_invalid_settings_before_anything_runs(tmp_path, capsys, text, key):
    path = tmp_path / "methods.yaml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    code = main(["run", "--settings", str(path), "--data", str(tmp_path), "--out", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    assert key in err and str(path) in err
    assert err.count("\n") == 1  # one clear line
    assert not out.exists()


def test_run_refuses_unreadable_settings_in_one_line(tmp_path, capsys):
    path = tmp_path / "broken.yaml"
    path.write_text("unsd: [unclosed\n  x: {\n", encoding="utf-8")
    assert main(["run", "--settings", str(path), "--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "not a readable YAML file" in err and err.count("\n") == 1


def test_review_choices_enforced():
    with pytest.raises(SystemExit):
        parser().parse_args(["run", "--review", "final"])


def test_validate_explains_text_in_number_cell(demo_raw, capsys):
    xlsx = next((demo_raw / "national").glob("*.xlsx"))
    assert main(["validate", str(xlsx)]) == DATA_PROBLEMS  # 3: a value is rejected
    out = capsys.readouterr().out
    assert "Data!E7: not a number: about 5" in out


def test_template_command_writes_workbook(tmp_path):
    out = tmp_path / "t.xlsx"
    proc = subprocess.run(
        [sys.executable, "-m", "mtr_analysis.cli", "template", "--country", "LAO", "--out", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    from openpyxl import load_workbook

    assert load_workbook(out)["Data"]["B2"].value == "LAO"

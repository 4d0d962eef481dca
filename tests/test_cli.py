"""The ``vesselscreen`` command: screen, demo, and one-line errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import vesselscreen as vs
from vesselscreen.cli import main


def test_demo_prints_findings_for_listed_ships_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "SIMULATED" in out
    for expected in ("PORT OLYA 3", "IRAMD", "RUOYA", "RUMCX", "port_call", "pre_designation", "designated"):
        assert expected in out
    table, _, cleared = out.partition("screened, no match:")
    for innocent in ("ABSHERON STAR", "KARABOGAZ", "AKTAU TRADER", "436999404"):
        assert innocent not in table
        assert innocent in cleared


def test_screen_json_round_trips(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["screen", "--ais", str(vs.demo.ais_path()), "--list", str(vs.demo.watchlist_path()),
                 "--output", "json"])  # fmt: skip
    assert code == 0
    text = capsys.readouterr().out
    report = vs.ScreeningReport.model_validate_json(text)
    kinds = {f.kind.value for f in report.findings}
    assert kinds == {"designated_vessel", "port_call", "sanctioned_port_call", "voyage", "dark_gap"}
    assert json.loads(text)["metadata"]["watchlist"]["sources"][0]["format"] == "custom_csv"


def test_screen_csv(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["screen", "--ais", str(vs.demo.ais_path()), "--list", str(vs.demo.watchlist_path()),
                 "--output", "csv"])  # fmt: skip
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("kind,severity,mmsi")
    assert any("port_call" in line and "IRAMD" in line for line in lines[1:])


def test_missing_file_is_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.csv"
    code = main(["screen", "--ais", str(missing), "--list", str(vs.demo.watchlist_path())])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("vesselscreen: error:")
    assert "nope.csv" in err
    assert "Traceback" not in err


def test_wrong_format_list_is_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    # an AIS log passed where a list is expected
    code = main(["screen", "--ais", str(vs.demo.ais_path()), "--list", str(vs.demo.ais_path())])
    assert code == 2
    assert "caspian_simulated.nmea" in capsys.readouterr().err


def test_reference_time_must_be_aware(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["screen", "--ais", str(vs.demo.ais_path()), "--list", str(vs.demo.watchlist_path()),
                 "--reference-time", "2024-09-01T00:00:00"])  # fmt: skip
    assert code == 2
    assert "UTC offset" in capsys.readouterr().err

"""The ``vesselscreen`` command: screen, demo, and one-line errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import vesselscreen as vs
from vesselscreen.cli import main


def test_demo_prints_findings_for_listed_ships_only(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # the demo writes its report in the current directory
    assert main(["demo"]) == 0
    assert (tmp_path / "vesselscreen-demo-report.html").is_file()
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


DEMO = ["screen", "--ais", str(vs.demo.ais_path()), "--list", str(vs.demo.watchlist_path())]


def test_table_tells_each_vessel_story_riskiest_first(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(DEMO) == 0
    out = capsys.readouterr().out
    headers = [line for line in out.splitlines() if "MMSI" in line and "risk" in line]
    assert headers == [
        "PORT OLYA 3  MMSI 273999301  risk 100/100",
        "PORT OLYA-4  MMSI 273999302  risk 90/100",
        "MUSA JALIL  MMSI 273999303  risk 74.5/100",
    ]
    assert "on list: demo as PORT OLYA-3 (demo:1), listed 2024-09-10" in out
    assert "port_call, sanctioned_port_call" in out
    assert main([*DEMO, "--group-by", "kind"]) == 0
    assert capsys.readouterr().out.startswith("SEVERITY  KIND")


@pytest.mark.parametrize(("severity", "status"), [("low", 1), ("medium", 1), ("high", 0), ("critical", 0)])
def test_fail_on_sets_the_exit_status(severity: str, status: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*DEMO, "--output", "json", "--fail-on", severity]) == status
    err = capsys.readouterr().err
    assert ("at or above" in err) is (status == 1)


def test_output_file_report_and_progress(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, report = tmp_path / "findings.geojson", tmp_path / "out" / "report.html"
    report.parent.mkdir()
    code = main(
        [*DEMO, "--output", "geojson", "--output-file", str(out), "--report", str(report), "--progress"]
    )
    assert code == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "screening" in captured.err
    assert "HTML report written to" in captured.err
    features = json.loads(out.read_text())["features"]
    assert len(features) == 23
    assert report.read_text().count('class="finding"') == 23


def test_config_toml_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    toml = tmp_path / "config.toml"
    toml.write_text("sanctioned_jurisdictions = []\n[port_calls]\nmin_duration_h = 2.0\n")
    assert main([*DEMO, "--config", str(toml), "--output", "json"]) == 0
    report = vs.ScreeningReport.model_validate_json(capsys.readouterr().out)
    assert report.metadata.config.port_calls.min_duration_h == 2.0
    assert "sanctioned_port_call" not in {f.kind for f in report.findings}
    bad = tmp_path / "config.json"
    bad.write_text('{"gaps": {"min_gap_h": "soon"}, "colour": "red"}')
    assert main([*DEMO, "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"vesselscreen: error: {bad}: ")
    assert "gaps.min_gap_h" in err
    assert "colour" in err


def test_store_and_as_of(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store_path = tmp_path / "snapshots.sqlite3"
    code = main(["screen", "--ais", str(vs.demo.ais_path()), "--store", str(store_path)])
    assert code == 2
    assert "run `vesselscreen lists update" in capsys.readouterr().err
    store = vs.SnapshotStore(store_path)
    store.add(vs.load_watchlist(vs.demo.watchlist_path()))
    args = ["screen", "--ais", str(vs.demo.ais_path()), "--store", str(store_path), "--output", "json"]
    assert main(args) == 0
    assert len(vs.ScreeningReport.model_validate_json(capsys.readouterr().out).findings) == 23
    assert main([*args, "--as-of", "2020-01-01"]) == 2
    assert "no snapshot" in capsys.readouterr().err
    assert main(["screen", "--ais", "x.nmea", "--list", "y.csv", "--as-of", "2024-09-01"]) == 2
    assert "add --store" in capsys.readouterr().err


def test_ports_and_registry_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ports = tmp_path / "ports.csv"
    ports.write_text("port_id,port_name,country,lat,lon\nXXOLY,Olya terminal,RU,45.78,47.53\n")
    assert main([*DEMO, "--ports", str(ports), "--output", "csv"]) == 0
    rows = capsys.readouterr().out
    assert "XXOLY" in rows
    assert "IRAMD" not in rows  # only the given gazetteer is used
    registry = tmp_path / "registry.csv"
    registry.write_text("imo,owner\n9000001,ACME\n")
    assert main([*DEMO, "--registry", str(registry)]) == 2
    assert "missing required columns" in capsys.readouterr().err


class _ClosedPipe:
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    def fileno(self) -> int:
        raise ValueError("no file descriptor")


def test_closed_pipe_ends_quietly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdout", _ClosedPipe())
    assert main(DEMO) == 141
    assert "Traceback" not in capsys.readouterr().err


def test_closed_pipe_in_a_real_pipeline() -> None:
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "vesselscreen.cli", *DEMO, "--output", "geojson"]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        proc.stdout.read(10)
        proc.stdout.close()  # like `| head -c 10`
        err = proc.stderr.read().decode() if proc.stderr else ""
        code = proc.wait(timeout=60)
    assert "Traceback" not in err
    assert code in (0, 141)


@pytest.mark.parametrize(
    ("value", "hint"),
    [("2024-09-01", "e.g. 2024-09-01T00:00:00Z"), ("2024-09-01T06:00", "e.g. 2024-09-01T06:00:00Z")],
)
def test_reference_time_hint_is_a_valid_time(
    value: str, hint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*DEMO, "--reference-time", value]) == 2
    assert hint in capsys.readouterr().err


def test_demo_writes_its_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "build" / "demo.html"
    assert main(["demo", "--report", str(report)]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith(str(report.resolve()))
    assert report.read_text().count('class="finding"') == 23

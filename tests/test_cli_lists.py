"""``vesselscreen lists update|import|show|diff`` against a real local server and a temporary store."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from vesselscreen.cli import main

OFAC = Path(__file__).parent / "data" / "lists" / "ofac"
CUSTOM = Path(__file__).parent / "data" / "lists" / "custom" / "caspian_watchlist.csv"
LINES = OFAC.joinpath("sdn.csv").read_bytes().rstrip(b"\x1a").splitlines(keepends=True)


def serve(server: HTTPServer, lines: list[bytes]) -> str:
    server.clear_all_handlers()
    server.expect_request("/SDN.CSV").respond_with_data(b"".join(lines) + b"\x1a")
    for name, file in (
        ("ALT.CSV", "alt.csv"),
        ("ADD.CSV", "add.csv"),
        ("SDN_COMMENTS.CSV", "sdn_comments.csv"),
    ):
        server.expect_request(f"/{name}").respond_with_data(OFAC.joinpath(file).read_bytes())
    return server.url_for("/SDN.CSV")


def test_update_show_and_diff(
    httpserver: HTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = str(tmp_path / "s.sqlite3")
    url = serve(httpserver, LINES[:-10])
    assert main(["lists", "update", "ofac_sdn", "--store", store, "--url", f"ofac_sdn={url}", "--quiet"]) == 0
    assert capsys.readouterr().out.startswith("ofac_sdn: new snapshot #1 (73 vessels, 57 entities")
    serve(httpserver, LINES)
    # with no SOURCE, the sources already in the store are updated
    assert main(["lists", "update", "--store", store, "--url", f"ofac_sdn={url}"]) == 0
    assert capsys.readouterr().out.startswith("ofac_sdn: new snapshot #2 (80 vessels, 60 entities")
    assert main(["lists", "update", "--store", store, "--url", f"ofac_sdn={url}"]) == 0
    assert "unchanged, snapshot #2" in capsys.readouterr().out

    assert main(["lists", "show", "--store", store]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[1].split()[:2] == ["id", "source"]
    assert [line.split()[:2] for line in table[2:]] == [["1", "ofac_sdn"], ["2", "ofac_sdn"]]
    assert url in table[-1]

    assert main(["lists", "diff", "--store", store]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("7 vessels added, 0 removed, 0 changed")  # the last 10 rows: 7 ships
    assert sum(line.startswith("+ ofac_sdn:") for line in out) == 7
    assert (
        main(["lists", "diff", "ofac_sdn", "--store", store, "--from", "2", "--to", "1", "--entities"]) == 0
    )
    assert capsys.readouterr().out.splitlines()[0].endswith("0 entities added, 3 removed, 0 changed")


def test_update_reports_a_failed_source_in_one_line_and_continues(
    httpserver: HTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    httpserver.expect_request("/list.csv").respond_with_data(CUSTOM.read_bytes())
    httpserver.expect_request("/page").respond_with_data(b"<!DOCTYPE html><html><body>Login</body></html>")
    bad, mine = httpserver.url_for("/page"), httpserver.url_for("/list.csv")
    args = ["lists", "update", "bad", "mine", "--store", str(tmp_path / "s.sqlite3"),
            "--url", f"bad={bad}", "--url", f"mine={mine}"]  # fmt: skip
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("vesselscreen: error: bad: http://")
    assert "HTML page" in captured.err
    assert len(captured.err.strip().splitlines()) == 1
    assert captured.out.startswith("mine: new snapshot #1 (4 vessels")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lists", "update"], "has no lists yet"),
        (["lists", "update", "nowhere"], "unknown list source 'nowhere'"),
        (["lists", "update", "--url", "no-equals-sign"], "--url takes SOURCE=URL"),
        (["lists", "diff"], "name the SOURCE"),
        (["lists", "diff", "--to", "7"], "no snapshot #7"),
    ],
)
def test_bad_arguments_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main([*args, "--store", str(tmp_path / "s.sqlite3")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("vesselscreen: error:")
    assert message in err
    assert "Traceback" not in err


def test_show_empty_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lists", "show", "--store", str(tmp_path / "s.sqlite3")]) == 0
    assert capsys.readouterr().out.startswith("no snapshots in ")


def test_corrupted_store_is_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"\x00junk" * 1000)
    assert main(["lists", "show", "--store", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"vesselscreen: error: {path}: not a usable snapshot store")


def test_store_from_environment(
    httpserver: HTTPServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("VESSELSCREEN_STORE", str(tmp_path / "env.sqlite3"))
    httpserver.expect_request("/list.csv").respond_with_data(CUSTOM.read_bytes())
    assert main(["lists", "update", "mine", "--url", f"mine={httpserver.url_for('/list.csv')}"]) == 0
    assert (tmp_path / "env.sqlite3").is_file()
    capsys.readouterr()
    assert main(["lists", "show"]) == 0
    assert str(tmp_path / "env.sqlite3") in capsys.readouterr().out


# ---------------------------------------------------------------------------- import

EARLY = b"".join(LINES[:-10]) + b"\x1a"  # the last 10 rows (7 ships) are added later
FULL = b"".join(LINES) + b"\x1a"


def archive(folder: Path) -> Path:
    folder.mkdir()
    (folder / "sdn_2024-05-03.csv").write_bytes(EARLY)
    (folder / "sdn_20240830.csv").write_bytes(EARLY)
    (folder / "sdn_2024-09-11T0600Z.csv").write_bytes(FULL)
    return folder


def test_import_a_folder_then_show_and_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = str(tmp_path / "s.sqlite3")
    folder = archive(tmp_path / "archive")
    assert main(["lists", "import", str(folder), "--source", "ofac_sdn", "--store", store]) == 0
    early, full = _sha(EARLY), _sha(FULL)
    assert capsys.readouterr().out.splitlines() == [
        f"2024-05-03 00:00Z ofac_sdn sdn_2024-05-03.csv: new snapshot #1 (73 vessels, 57 entities, "
        f"sha256 {early})",
        f"2024-08-30 00:00Z ofac_sdn sdn_20240830.csv: same content as snapshot #1 (73 vessels, 57 entities, "
        f"sha256 {early})",
        f"2024-09-11 06:00Z ofac_sdn sdn_2024-09-11T0600Z.csv: new snapshot #2 (80 vessels, 60 entities, "
        f"sha256 {full})",
    ]
    assert main(["lists", "show", "ofac_sdn", "--store", store]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[1].split()[:7] == ["id", "source", "retrieved", "(UTC)", "checked", "(UTC)", "seen"]
    assert table[2].split()[:7] == ["1", "ofac_sdn", "2024-05-03", "00:00", "2024-08-30", "00:00", "2"]
    assert main(["lists", "diff", "--store", store]) == 0
    assert capsys.readouterr().out.splitlines()[0].endswith("7 vessels added, 0 removed, 0 changed")


def test_import_one_file_with_its_time(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = str(tmp_path / "s.sqlite3")
    copy = tmp_path / "sdn.csv"
    copy.write_bytes(FULL)
    args = [
        "lists",
        "import",
        str(copy),
        "--source",
        "ofac_sdn",
        "--as-of",
        "2024-09-11T06:00Z",
        "--store",
        store,
    ]
    assert main(args) == 0
    assert capsys.readouterr().out.startswith(
        "2024-09-11 06:00Z ofac_sdn sdn.csv: new snapshot #1 (80 vessels"
    )


def test_import_a_manifest_and_report_a_bad_copy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = str(tmp_path / "s.sqlite3")
    archive(tmp_path / "archive")
    (tmp_path / "archive" / "broken.csv").write_bytes(b"<html><body>Maintenance</body></html>")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "path,source,retrieved_at\n"
        "archive/sdn_2024-05-03.csv,ofac_sdn,2024-05-03\n"
        "archive/broken.csv,ofac_sdn,2024-06-01\n"
        "archive/sdn_2024-09-11T0600Z.csv,ofac_sdn,2024-09-11T06:00Z\n"
    )
    assert main(["lists", "import", "--manifest", str(manifest), "--store", store]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("vesselscreen: error: broken.csv: ")
    assert "HTML page" in captured.err
    assert len(captured.out.splitlines()) == 2  # the good copies are in


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lists", "import", "x.csv"], "--source NAME"),
        (["lists", "import", "--source", "ofac_sdn"], "name the FILEs or FOLDERs"),
        (["lists", "import", "sdn.csv", "--source", "ofac_sdn"], "no date in its name"),
        (
            ["lists", "import", "a.csv", "b.csv", "--source", "s", "--as-of", "2024-01-01"],
            "--as-of dates one FILE",
        ),
        (
            ["lists", "import", "x_2024-01-01.csv", "--source", "s", "--as-of", "2024-01-01T00:00"],
            "UTC offset",
        ),
        (["lists", "import", "--manifest", "m.csv", "--source", "s"], "--manifest names the files"),
        (["lists", "import", "x_2024-01-01.csv", "--source", "s"], "no such file"),
    ],
)
def test_bad_import_arguments_are_one_line_errors(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VESSELSCREEN_STORE", str(tmp_path / "s.sqlite3"))
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("vesselscreen: error:")
    assert message in err


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()[:12]

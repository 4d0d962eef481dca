"""tools/build_ports.py on verbatim excerpts of the three real source files (tests/data/ports)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from vesselscreen.geo import PORTS_DTYPES, PortIndex, validate_ports

ROOT = Path(__file__).resolve().parent.parent.parent
SOURCES = ROOT / "tests" / "data" / "ports"


def _load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_ports", ROOT / "tools" / "build_ports.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


builder = _load_builder()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, str]:
    out = tmp_path_factory.mktemp("ports")
    assert builder.main([str(SOURCES), "--out", str(out)]) == 0
    frame = pd.read_csv(out / "ports.csv", dtype=str, keep_default_na=False)
    return frame, (out / "ports.SOURCE.txt").read_text(encoding="utf-8")


def row(frame: pd.DataFrame, port_id: str) -> dict[str, str]:
    matches = frame[frame["port_id"] == port_id]
    assert len(matches) == 1, port_id
    return {str(k): str(v) for k, v in matches.iloc[0].items()}


def test_output_is_a_valid_gazetteer(built: tuple[pd.DataFrame, str]) -> None:
    frame, _ = built
    assert frame.columns.tolist() == list(builder.OUT_COLUMNS)
    # 19 WPI ports (one repeated number dropped) + 14 UN/LOCODE (1 XX, 12 given by WPI) + 1 supplement
    assert len(frame) == 34
    assert frame["source"].value_counts().to_dict() == {"wpi": 19, "unlocode": 14, "supplement": 1}
    numeric = frame.replace("", pd.NA).astype({"lat": float, "lon": float, "radius_m": float})
    clean = validate_ports(numeric)
    assert list(clean.columns) == list(PORTS_DTYPES)
    assert frame["lat"].str.fullmatch(r"-?\d+\.\d{5}").all()


def test_wpi_takes_the_code_and_its_own_position(built: tuple[pd.DataFrame, str]) -> None:
    frame, _ = built
    # WPI "IR BND" at 27.15N 56.2E, UN/LOCODE IRBND at the town (27.18333, 56.26667)
    assert row(frame, "IRBND") == {
        "port_id": "IRBND", "port_name": "Bandar Abbas", "country": "IR", "lat": "27.15000",
        "lon": "56.20000", "radius_m": "5000", "harbor_size": "Medium", "source": "wpi",
    }  # fmt: skip
    assert row(frame, "NLRTM")["radius_m"] == "8000"
    assert row(frame, "KPNAM")["source"] == "wpi"


def test_unlocode_rows_fill_in_and_xx_is_skipped(built: tuple[pd.DataFrame, str]) -> None:
    frame, _ = built
    assert row(frame, "IRAMD") == {
        "port_id": "IRAMD", "port_name": "Bandar Amirabad", "country": "IR", "lat": "36.78333",
        "lon": "53.35000", "radius_m": "3000", "harbor_size": "", "source": "unlocode",
    }  # fmt: skip
    assert "CNHEB" not in set(frame["port_id"])


def test_supplement_is_added(built: tuple[pd.DataFrame, str]) -> None:
    frame, _ = built
    assert row(frame, "IRNSH")["source"] == "supplement"
    assert (row(frame, "IRNSH")["lat"], row(frame, "IRNSH")["lon"]) == ("36.64900", "51.49600")


def test_wpi_quirks(built: tuple[pd.DataFrame, str]) -> None:
    frame, source = built
    # malformed code 'GB ME"' -> WPI id
    assert row(frame, "WPI35600")["port_name"] == "Portsmouth Harbour"
    # BSCBT is in the Bahamas; WPI gives it to a Lake Huron port -> WPI id, and UN/LOCODE's row is kept
    assert row(frame, "WPI4210")["country"] == "CA"
    assert row(frame, "BSCBT")["port_name"] == "Cockburn Town"
    # two WPI ports claim INKRI: the one nearest UN/LOCODE's point keeps it
    assert row(frame, "INKRI")["port_name"] == "Krishnapatnam"
    assert row(frame, "WPI49454.5")["port_name"] == "Kattupalli Port"
    # repeated WPI number 400: the first row wins
    assert row(frame, "ISSEY")["port_name"] == "Seydhisfjordhur"
    # empty WPI country: taken from the code
    assert row(frame, "NOMEH")["country"] == "NO"
    # Namibia's "NA" survives the round trip
    assert row(frame, "NAWVB")["country"] == "NA"
    assert "35600 Portsmouth Harbour 'GB ME\"\"'" in source
    assert "4210 Cockburn (CA) BSCBT" in source


def test_colocated_ports_list_the_preferred_first(built: tuple[pd.DataFrame, str]) -> None:
    frame, _ = built
    ids = frame["port_id"].tolist()
    assert ids.index("TMKRA") == ids.index("TMKRW") + 1
    numeric = frame.replace("", pd.NA).astype({"lat": float, "lon": float, "radius_m": float})
    index = PortIndex(numeric)
    pos, _ = index.within([40.01667], [52.96667])
    assert index.ports.at[int(pos[0]), "port_id"] == "TMKRW"


def test_source_note_has_attribution_rules_and_counts(built: tuple[pd.DataFrame, str]) -> None:
    _, source = built
    for text in (
        "public domain",
        "UNECE",
        "ODbL",
        "Build rules",
        "Rows: 34 ports",
        "IRNSH Nowshahr: UN/LOCODE",
    ):
        assert text in source


def test_missing_required_port_fails(tmp_path: Path) -> None:
    for name in ("nga_wpi_UpdatedPub150.csv", "ports_supplement.csv"):
        (tmp_path / name).write_bytes((SOURCES / name).read_bytes())
    lines = (SOURCES / "unlocode_ports.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "unlocode_ports.csv").write_text(
        "".join(line for line in lines if not line.startswith("IRAMD,")), encoding="utf-8"
    )
    with pytest.raises(SystemExit, match=r"required ports missing: \['IRAMD'\]"):
        builder.build(tmp_path)

"""Properties: encoded positions come back (no row lost, values within AIS resolution); row order
of a MarineCadastre CSV does not matter."""

from __future__ import annotations

import io
import random

import pandas as pd
import pyais
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vesselscreen.ais import read_ais, read_marinecadastre
from vesselscreen.ingest import ingest_report
from vesselscreen.schema import POSITION

from .conftest import MARINECADASTRE

LATLON_RESOLUTION = 1 / 600_000 + 1e-6  # 1/10000 minute, plus pyais' rounding to 6 decimals
START = 1_600_000_000  # 2020-09-13, Unix seconds

positions = st.fixed_dictionaries(
    {
        "type": st.sampled_from([1, 18]),
        "mmsi": st.integers(min_value=200_000_000, max_value=799_999_999),
        "lat": st.floats(min_value=-90, max_value=90, allow_nan=False),
        "lon": st.floats(min_value=-180, max_value=180, allow_nan=False),
        "speed": st.integers(min_value=0, max_value=1022).map(lambda tenths: tenths / 10),
        "course": st.integers(min_value=0, max_value=3599).map(lambda tenths: tenths / 10),
        "heading": st.integers(min_value=0, max_value=359),
        "status": st.integers(min_value=0, max_value=15),
    }
)


def _checksum(text: str) -> str:
    value = 0
    for char in text.encode():
        value ^= char
    return f"{value:02X}"


def _tagged(message: dict[str, float | int], second: int) -> str:
    sentence = pyais.encode_dict(message, talker_id="AI", sentence_type="VDM")[0]
    tag = f"c:{START + second}"
    return f"\\{tag}*{_checksum(tag)}\\{sentence}"


@settings(max_examples=40, deadline=None)
@given(st.lists(positions, min_size=1, max_size=30))
def test_encoded_positions_come_back(messages: list[dict[str, float | int]]) -> None:
    log = "\n".join(_tagged(message, second) for second, message in enumerate(messages)) + "\n"
    frame = read_ais(io.StringIO(log))
    report = ingest_report(frame)
    assert report is not None
    assert (report.records, report.accepted, len(frame)) == (len(messages), len(messages), len(messages))
    by_key = frame.set_index([POSITION.MMSI, POSITION.TIMESTAMP])
    for second, message in enumerate(messages):
        row = by_key.loc[(message["mmsi"], pd.Timestamp(START + second, unit="s", tz="UTC"))]
        assert abs(row[POSITION.LAT] - message["lat"]) <= LATLON_RESOLUTION
        assert abs(row[POSITION.LON] - message["lon"]) <= LATLON_RESOLUTION
        assert abs(row[POSITION.SOG] - message["speed"]) < 0.05
        assert abs(row[POSITION.COG] - message["course"]) < 0.05
        assert row[POSITION.HEADING] == message["heading"]
        if message["type"] == 1:
            assert row[POSITION.NAV_STATUS] == message["status"]
        else:
            assert pd.isna(row[POSITION.NAV_STATUS])


_LINES = MARINECADASTRE.read_text(encoding="utf-8").splitlines()
_KEY = [POSITION.MMSI, POSITION.TIMESTAMP, POSITION.LAT, POSITION.LON]


def _read_sorted(lines: list[str]) -> pd.DataFrame:
    frame = read_marinecadastre(io.StringIO("\n".join(lines) + "\n"))
    return frame.sort_values(_KEY, kind="stable").reset_index(drop=True)


_EXPECTED = _read_sorted(_LINES)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False))
def test_marinecadastre_row_order_does_not_matter(rng: random.Random) -> None:
    rows = _LINES[1:]
    rng.shuffle(rows)
    shuffled = _read_sorted([_LINES[0], *rows])
    pd.testing.assert_frame_equal(shuffled, _EXPECTED)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=len(_LINES) - 1), min_size=1, max_size=50), st.data())
def test_marinecadastre_no_row_lost(picks: list[int], data: st.DataObject) -> None:
    """Any mix of real and damaged rows: every row is accepted or rejected, never dropped."""
    lines = [_LINES[0]]
    damaged = 0
    for pick in picks:
        fields = _LINES[pick].split(",")
        if data.draw(st.booleans()):
            fields[data.draw(st.sampled_from([0, 1, 2, 3]))] = data.draw(
                st.sampled_from(["", "x", "91", "-181"])
            )
            damaged += 1
        lines.append(",".join(fields))
    frame = read_marinecadastre(io.StringIO("\n".join(lines) + "\n"))
    report = ingest_report(frame)
    assert report is not None
    assert report.records == len(picks)
    assert report.accepted + report.rejected == len(picks)
    assert len(frame) == report.accepted >= len(picks) - damaged

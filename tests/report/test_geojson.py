"""GeoJSON carries each finding's real track, simplified, not a straight line."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

import vesselscreen as vs
from vesselscreen.report.tracks import tracks


def features(result: vs.ScreeningResult, **kwargs: float) -> list[dict[str, object]]:
    return json.loads(result.to_geojson(**kwargs))["features"]  # type: ignore[no-any-return]


def test_designated_vessel_is_its_track_cut_at_the_dark_gap(demo: vs.ScreeningResult) -> None:
    olya = next(
        f
        for f in features(demo)
        if f["properties"]["kind"] == "designated_vessel"  # type: ignore[index]
        and f["properties"]["mmsi"] == 273999301  # type: ignore[index]
    )
    geometry = olya["geometry"]
    assert geometry["type"] == "MultiLineString"  # type: ignore[index]
    before, after = geometry["coordinates"]  # type: ignore[index]
    assert before[0] == [53.35008, 36.78283]  # at Bandar Amirabad
    assert len(before) + len(after) > 10  # the route, not first-to-last
    assert olya["properties"]["geometry"] == "track"  # type: ignore[index]


def test_dark_gap_is_the_line_across_the_gap(demo: vs.ScreeningResult) -> None:
    gap = next(f for f in features(demo) if f["properties"]["kind"] == "dark_gap")  # type: ignore[index]
    assert gap["geometry"] == {
        "type": "LineString",
        "coordinates": [[53.16818, 36.98131], [48.94717, 44.3283]],
    }


def test_tolerance_trades_points_for_precision(demo: vs.ScreeningResult) -> None:
    def points(result: list[dict[str, object]]) -> int:
        return sum(len(np.array(f["geometry"]["coordinates"], dtype=object).ravel())  # type: ignore[index]
                   for f in result if f["geometry"])  # fmt: skip

    assert (
        points(features(demo, tolerance_deg=0.0))
        > points(features(demo))
        > points(features(demo, tolerance_deg=0.5))
    )


def test_without_positions_the_evidence_is_drawn() -> None:
    result = vs.screen(vs.read_ais(vs.demo.ais_path()), vs.load_watchlist(vs.demo.watchlist_path()))
    result.positions = None  # a result read back without its inputs
    assert {f["properties"]["geometry"] for f in features(result)} == {"evidence"}  # type: ignore[index]


def test_tracks_break_at_silences_and_keep_single_fixes() -> None:
    t = pd.to_datetime(
        ["2024-09-01 00:00", "2024-09-01 01:00", "2024-09-02 00:00", "2024-09-01 00:00"], utc=True
    )
    ais = pd.DataFrame(
        {"mmsi": pd.array([1, 1, 1, 2], dtype="Int64"), "timestamp": t,
         "lat": [0.0, 0.1, 1.0, 5.0], "lon": [0.0, 0.0, 1.0, 5.0]}
    )  # fmt: skip
    out = tracks(ais)
    assert [s.tolist() for s in out[1]] == [[[0.0, 0.0], [0.0, 0.1]], [[1.0, 1.0]]]
    assert [s.tolist() for s in out[2]] == [[[5.0, 5.0]]]
    assert tracks(ais, [3]) == {}

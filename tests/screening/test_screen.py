"""End to end: real-format inputs through vs.screen to findings with evidence."""

from __future__ import annotations

import pickle
from pathlib import Path

import pandas as pd
import pytest

import vesselscreen as vs
from vesselscreen.schema import POSITION, POSITION_DTYPES, conform

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def demo_result() -> vs.ScreeningResult:
    return vs.screen(vs.read_ais(vs.demo.ais_path()), vs.load_watchlist(vs.demo.watchlist_path()))


def test_demo_finds_the_listed_ships_and_only_them(demo_result: vs.ScreeningResult) -> None:
    frame = demo_result.to_frame()
    listed = {273999301: "demo:1", 273999302: "demo:2", 273999303: "demo:3"}
    assert set(frame["mmsi"]) == set(listed)
    for row in frame.itertuples():
        # sanctioned_port_call is about the port, not a list entry
        assert row.entry_ids == ([] if row.kind == "sanctioned_port_call" else [listed[row.mmsi]])
    # innocent traffic: ferries, a tanker, and the Kazakh namesake MARAL (MMSI 436999404)
    assert not frame["mmsi"].isin([423999401, 434999402, 436999403, 436999404]).any()
    # ... though the Kazakh MARAL was seen and screened
    assert 436999404 in set(demo_result.identities["mmsi"])


def test_demo_port_calls_of_listed_ships(demo_result: vs.ScreeningResult) -> None:
    calls = demo_result.to_frame().query("kind == 'port_call'")
    visited = calls.groupby("vessel_name")["port_id"].agg(list).to_dict()
    assert visited == {
        "PORT OLYA 3": ["IRAMD", "RUOYA", "IRAMD", "RUOYA"],
        "PORT OLYA-4": ["RUMCX", "IRAMD", "RUMCX"],
        "MUSA JALIL": ["IRAMD", "RUOYA"],
    }


def test_designation_status_is_judged_at_each_event(demo_result: vs.ScreeningResult) -> None:
    olya3 = [f for f in demo_result.findings if f.mmsi == 273999301 and f.kind is vs.FindingKind.PORT_CALL]
    listed_on = pd.Timestamp("2024-09-10", tz="UTC")
    for finding in olya3:
        assert finding.start is not None
        assert finding.end is not None
        # judged by overlap: a call still in progress on the listing day is designated
        expected = "designated" if finding.end >= listed_on else "pre_designation"
        assert finding.designation_status == expected
        # the demo lists ships by name and flag only: possible matches, never high
        assert (finding.match_tier, finding.severity) == ("possible", "medium")
    assert [f.designation_status for f in olya3].count(vs.DesignationStatus.DESIGNATED) == 2
    others = [f for f in demo_result.findings if f.mmsi in (273999302, 273999303) and f.designation_status]
    assert {f.designation_status for f in others} == {vs.DesignationStatus.LISTING_DATE_UNKNOWN}


def test_findings_carry_evidence(demo_result: vs.ScreeningResult) -> None:
    snapshot_id = demo_result.metadata.watchlist.id
    listed_kinds = (vs.FindingKind.DESIGNATED_VESSEL, vs.FindingKind.PORT_CALL)
    for finding in (f for f in demo_result.findings if f.kind in listed_kinds):
        evidence = finding.evidence
        assert evidence.snapshot_id == snapshot_id
        assert evidence.match_methods == (vs.MatchMethod.NAME_FLAG,)
        assert len(evidence.positions) == 2
        first, last = evidence.positions
        assert first.timestamp == finding.start
        assert last.timestamp == finding.end
        assert first.mmsi == finding.mmsi
    call = next(f for f in demo_result.findings if f.kind is vs.FindingKind.PORT_CALL)
    assert call.evidence.rule == "port_call_of_listed_vessel"
    assert call.evidence.parameters["port_id"] == call.port_id
    assert call.port_id is not None
    assert call.port_id in call.evidence.explanation
    # the quoted arrival and departure positions are inside the port's exit distance
    port = vs.load_ports().set_index("port_id").loc[call.port_id]
    exit_m = port["radius_m"] + vs.PortCallConfig().exit_margin_m
    for pos in call.evidence.positions:
        assert vs.geo.haversine_m(pos.lat, pos.lon, port["lat"], port["lon"]) <= exit_m


def test_json_round_trip_and_metadata(demo_result: vs.ScreeningResult) -> None:
    report = vs.ScreeningReport.model_validate_json(demo_result.to_json())
    assert report.findings == tuple(demo_result.findings)
    meta = report.metadata
    assert meta.library_version == vs.__version__
    lines = [ln for ln in vs.demo.ais_path().read_text().splitlines() if ln and not ln.startswith("#")]
    single_part = sum("!AIVDM,1,1," in ln for ln in lines)  # the demo's type 1 position reports
    assert meta.positions == single_part
    assert meta.vessels == 7
    assert meta.list_vessels == 5
    assert meta.ingest_reports[0].records == meta.ingest_reports[0].accepted == len(lines)
    assert len(meta.watchlist.sources[0].sha256) == 64


def test_vessels_count_every_mmsi_also_one_seen_only_without_a_time() -> None:
    """``metadata.vessels`` is the input's distinct MMSIs: taken from the identity timeline when
    every row with an MMSI has a time, and counted over the rows when one has none."""
    ais = vs.read_ais(vs.demo.ais_path())
    watchlist = vs.load_watchlist(vs.demo.watchlist_path())
    assert vs.screen(ais, watchlist).metadata.vessels == ais[POSITION.MMSI].nunique() == 7
    untimed = ais.copy()
    untimed.loc[0, POSITION.MMSI] = 123_456_789  # a vessel of its own
    untimed.loc[0, POSITION.TIMESTAMP] = pd.NaT  # ... on a row without a time
    assert vs.screen(untimed, watchlist).metadata.vessels == 8


def test_cleaning_report_travels_into_the_metadata() -> None:
    ais = vs.clean_ais(vs.read_ais(vs.demo.ais_path()))
    result = vs.screen(ais, vs.load_watchlist(vs.demo.watchlist_path()))
    report = result.metadata.cleaning_report
    assert report is not None
    assert report.rows == len(vs.read_ais(vs.demo.ais_path()))
    assert report.kept + sum(report.rejected.values()) == report.rows
    restored = vs.ScreeningReport.model_validate_json(result.to_json())
    assert restored.metadata.cleaning_report == report


def test_positions_are_the_cleaned_rows_sorted_and_made_once() -> None:
    """``result.positions`` is made on first read (a screening that never reads it does not copy
    every row): the rows kept by cleaning, sorted by vessel and time, the same object each read."""
    ais = vs.read_ais(vs.demo.ais_path())
    result = vs.screen(ais.sample(frac=1.0, random_state=3), vs.load_watchlist(vs.demo.watchlist_path()))
    report = result.metadata.cleaning_report
    assert result._positions is None  # not made yet
    positions = result.positions
    assert positions is not None
    assert result.positions is positions
    assert report is not None
    assert len(positions) == report.kept
    assert positions.index.equals(pd.RangeIndex(len(positions)))
    key = positions[[POSITION.MMSI, POSITION.TIMESTAMP]]
    assert key.equals(key.sort_values([POSITION.MMSI, POSITION.TIMESTAMP], ignore_index=True))
    result.positions = None
    assert result.positions is None


def test_results_pickle_before_and_after_their_positions_are_made() -> None:
    """A result pickles whether its positions were made yet or not, also screened from a track
    whose frame was taken already; a result pickled with positions as a plain attribute loads."""
    ais = vs.read_ais(vs.demo.ais_path())
    watchlist = vs.load_watchlist(vs.demo.watchlist_path())
    track = vs.events.Track.build(ais)
    track.frame  # noqa: B018  # taken before the screening: the result is handed the frame itself
    for result in (vs.screen(ais, watchlist), vs.screen(track, watchlist)):
        restored = pickle.loads(pickle.dumps(result))
        assert restored.positions is not None
        assert result.positions is not None
        pd.testing.assert_frame_equal(restored.positions, result.positions)
        assert pickle.loads(pickle.dumps(result)).positions is not None  # made, then pickled
    old = vs.ScreeningResult.__new__(vs.ScreeningResult)
    old.__setstate__({"positions": ais, "findings": []})
    assert old.positions is ais


def test_name_matching_can_be_switched_off() -> None:
    config = vs.ScreeningConfig(matching=vs.MatchingConfig(by_name_and_flag=False))
    result = vs.screen(
        vs.read_ais(vs.demo.ais_path()), vs.load_watchlist(vs.demo.watchlist_path()), config=config
    )
    assert result.matches.empty
    # calls at Bandar Amirabad remain findings, for any ship: Iran is a sanctioned jurisdiction
    assert {f.kind for f in result.findings} == {vs.FindingKind.SANCTIONED_PORT_CALL}
    assert {f.port_id for f in result.findings} == {"IRAMD"}


def synthetic_track(mmsi: int, imo: int | None, name: str, lat: float, lon: float) -> pd.DataFrame:
    """A ship moored at (lat, lon) for 12 h, reporting every 30 min."""
    times = pd.date_range("2024-03-01", periods=25, freq="30min", tz="UTC")
    frame = pd.DataFrame({
        POSITION.MMSI: mmsi, POSITION.TIMESTAMP: times, POSITION.LAT: lat, POSITION.LON: lon,
        POSITION.SOG: 0.0, POSITION.IMO: imo, POSITION.NAME: name,
    })  # fmt: skip
    return conform(frame, POSITION_DTYPES)


def test_real_ofac_vessels_are_matched_by_imo_in_synthetic_ais() -> None:
    watchlist = vs.load_watchlist(DATA / "lists" / "ofac" / "sdn.csv")
    listed = watchlist.vessels.dropna(subset=["imo"]).reset_index(drop=True)
    assert len(listed) == 75
    # every listed IMO broadcast by an unrelated MMSI and name, moored at Bandar Abbas
    tracks = [
        synthetic_track(538000000 + i, int(imo), f"VESSEL {i}", 27.1833, 56.2667)
        for i, imo in enumerate(listed["imo"])
    ]
    result = vs.screen(pd.concat(tracks, ignore_index=True), watchlist)
    designated = [f for f in result.findings if f.kind is vs.FindingKind.DESIGNATED_VESSEL]
    assert sorted(f.imo for f in designated if f.imo is not None) == sorted(int(i) for i in listed["imo"])
    assert all(f.evidence.match_methods[0] is vs.MatchMethod.IMO for f in designated)
    assert all(f.designation_status is vs.DesignationStatus.LISTING_DATE_UNKNOWN for f in designated)
    assert {f.entry_ids[0] for f in designated} == set(listed["entry_id"])


def test_naive_timestamps_are_refused() -> None:
    frame = synthetic_track(273999301, None, "PORT OLYA 3", 36.78, 53.35)
    frame[POSITION.TIMESTAMP] = frame[POSITION.TIMESTAMP].dt.tz_localize(None)
    with pytest.raises(vs.ReferenceTimeError):
        vs.screen(frame, vs.load_watchlist(vs.demo.watchlist_path()))


def test_positions_missing_columns_are_refused() -> None:
    frame = synthetic_track(273999301, None, "PORT OLYA 3", 36.78, 53.35).drop(columns=[POSITION.LAT])
    with pytest.raises(vs.SchemaError, match="lat"):
        vs.screen(frame, vs.load_watchlist(vs.demo.watchlist_path()))


EVENT_FRAMES = ("port_calls", "voyages", "gaps", "encounters", "loitering", "spoofing", "identity_changes")


@pytest.mark.parametrize("case", ["scenario", "marinecadastre"])
def test_threads_change_nothing_but_the_time(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from vesselscreen.screening import context

    if case == "scenario":
        ais, watchlist = (
            vs.read_ais(DATA / "scenario" / "ais.csv"),
            vs.load_watchlist(DATA / "scenario" / "watchlist.csv"),
        )
    else:
        ais = vs.read_ais(DATA / "ais" / "csv" / "marinecadastre_2022-01-03_head_vessels.csv")
        watchlist = vs.load_watchlist(DATA / "lists" / "ofac" / "sdn.csv")
    monkeypatch.setattr(context, "MIN_ROWS_FOR_THREADS", 0)  # these real-format files are small
    one, three = vs.screen(ais, watchlist, threads=1), vs.screen(ais, watchlist, threads=3)
    assert len(one.findings) > 0
    pd.testing.assert_frame_equal(one.to_frame(), three.to_frame())
    for name in (*EVENT_FRAMES, "matches", "risk"):
        pd.testing.assert_frame_equal(getattr(one, name), getattr(three, name), obj=name)
    assert one.metadata.cleaning_report == three.metadata.cleaning_report


@pytest.mark.parametrize("threads", [0, -1, True, 1.5])
def test_threads_must_be_a_whole_number(threads: object) -> None:
    ais, watchlist = vs.read_ais(vs.demo.ais_path()), vs.load_watchlist(vs.demo.watchlist_path())
    with pytest.raises(vs.ConfigError, match="threads"):
        vs.screen(ais, watchlist, threads=threads)  # type: ignore[arg-type]  # wrong on purpose

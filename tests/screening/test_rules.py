"""Screening rules beyond matching: conflicts, sanctioned ports, ownership, risk, GeoJSON,
the quick check and the incremental screener."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import vesselscreen as vs
from vesselscreen.schema import POSITION, POSITION_DTYPES, conform
from vesselscreen.screening.jurisdictions import CRIMEA, RUSSIA, SYRIA

DATA = Path(__file__).resolve().parents[1] / "data"


def moored(mmsi: int, lat: float, lon: float, start: str, hours: int = 12, **static: object) -> pd.DataFrame:
    """A ship moored at (lat, lon) for ``hours``, reporting every 30 minutes."""
    times = pd.date_range(start, periods=hours * 2 + 1, freq="30min", tz="UTC")
    columns = {POSITION.MMSI: mmsi, POSITION.TIMESTAMP: times, POSITION.LAT: lat, POSITION.LON: lon}
    frame = pd.DataFrame({**columns, POSITION.SOG: 0.0, **static})
    return conform(frame, POSITION_DTYPES)


@pytest.fixture(scope="module")
def ofac() -> vs.Watchlist:
    return vs.load_watchlist(DATA / "lists" / "ofac" / "sdn.csv")


def ports() -> pd.DataFrame:
    return vs.load_ports().set_index("port_id")


def at(port_id: str) -> tuple[float, float]:
    p = ports().loc[port_id]
    return float(p["lat"]), float(p["lon"])


def test_sanctioned_port_calls_respect_jurisdiction_dates(ofac: vs.Watchlist) -> None:
    ais = pd.concat([
        moored(352000001, *at("IRBND"), "2024-03-01"),          # Bandar Abbas, Iran
        moored(352000002, *at("UASVP"), "2013-06-01"),          # Sevastopol before EO 13685
        moored(352000003, *at("UASVP"), "2024-06-01"),          # Sevastopol after
        moored(352000004, *at("SYLTK"), "2024-06-01"),          # Latakia, Syria, in force
        moored(352000005, *at("SYLTK"), "2025-08-01"),          # after the US revocation
        moored(352000006, *at("RUNVS"), "2024-06-01"),          # Novorossiysk: opt-in only
    ], ignore_index=True)  # fmt: skip
    result = vs.screen(ais, ofac)
    sanctioned = {(f.mmsi, f.port_id) for f in result.findings if f.kind == "sanctioned_port_call"}
    assert sanctioned == {(352000001, "IRBND"), (352000003, "UASVP"), (352000004, "SYLTK")}
    finding = next(f for f in result.findings if f.mmsi == 352000003)
    assert finding.evidence.parameters["jurisdiction"] == "Crimea"
    assert "13685" in finding.evidence.explanation
    assert SYRIA.valid_to == date(2025, 7, 1)
    assert CRIMEA.valid_from == date(2014, 12, 19)

    opted_in = vs.ScreeningConfig(
        sanctioned_jurisdictions=(*vs.ScreeningConfig().sanctioned_jurisdictions, RUSSIA)
    )
    result = vs.screen(ais, ofac, config=opted_in)
    assert (352000006, "RUNVS") in {(f.mmsi, f.port_id) for f in result.findings}


def test_imo_on_two_mmsis_at_once_is_a_conflict(ofac: vs.Watchlist) -> None:
    # ARTAVIL's real IMO broadcast at the same time by two MMSIs in two places
    ais = pd.concat([
        moored(572469210, *at("IRBND"), "2024-03-01", imo=9187629, name="ARTAVIL"),
        moored(352000007, *at("AEFJR"), "2024-03-01 06:00", imo=9187629, name="ARTAVIL"),
    ], ignore_index=True)  # fmt: skip
    result = vs.screen(ais, ofac)
    conflicts = [f for f in result.findings if f.kind == "identity_conflict"]
    assert [(f.mmsi, f.counterpart_mmsi, f.evidence.rule) for f in conflicts] == [
        (352000007, 572469210, "imo_on_two_mmsis")
    ]
    assert conflicts[0].entry_ids == ("ofac_sdn:15036",)
    assert len(conflicts[0].evidence.positions) == 4  # two of each MMSI


def test_imo_on_two_mmsis_pairs_only_the_mmsis_that_overlap(ofac: vs.Watchlist) -> None:
    # three MMSIs give ARTAVIL's IMO: two on the same day (a conflict), the third a week later
    ais = pd.concat([
        moored(572469210, *at("IRBND"), "2024-03-01", imo=9187629, name="ARTAVIL"),
        moored(352000007, *at("AEFJR"), "2024-03-01 06:00", imo=9187629, name="NOT ARTAVIL"),
        moored(352000008, *at("AEFJR"), "2024-03-08", imo=9187629, name="LATER"),
    ], ignore_index=True)  # fmt: skip
    conflicts = [f for f in vs.screen(ais, ofac).findings if f.evidence.rule == "imo_on_two_mmsis"]
    assert [(f.mmsi, f.counterpart_mmsi, f.vessel_name, f.imo) for f in conflicts] == [
        (352000007, 572469210, "NOT ARTAVIL", 9187629)
    ]
    assert conflicts[0].start == pd.Timestamp("2024-03-01 06:00", tz="UTC")  # the later first report
    assert conflicts[0].end == pd.Timestamp("2024-03-01 12:00", tz="UTC")  # the earlier last one


def test_listed_mmsi_with_another_imo_is_a_conflict_not_a_silent_match(ofac: vs.Watchlist) -> None:
    ais = moored(572469210, *at("IRBND"), "2024-03-01", imo=9074729, name="OTHER")
    result = vs.screen(ais, ofac)
    kinds = sorted(f.kind.value for f in result.findings if f.entry_ids == ("ofac_sdn:15036",))
    assert kinds == ["designated_vessel", "identity_conflict", "port_call"]
    conflict = next(f for f in result.findings if f.kind == "identity_conflict")
    assert conflict.evidence.parameters == {"ais_imo": 9074729, "listed_imo": 9187629}


def test_owner_designated_by_company_imo_and_by_name(ofac: vs.Watchlist) -> None:
    registry = pd.DataFrame({
        "imo": [9074729, 9307839, 9000001],
        "registered_owner": ["SOME OWNER LTD", "Korea Samjong Shipping Co., Ltd.", "ELSEWHERE SA"],
        "operator": ["INNOCENT OPERATOR", None, None],
        "operator_imo": [5954061, None, None],   # KOREA SAMJONG SHIPPING CO's company number on the SDN list
    })  # fmt: skip
    ais = pd.concat([
        moored(352000008, *at("SGSIN"), "2024-03-01", imo=9074729, name="SHIP A"),
        moored(352000009, *at("SGSIN"), "2024-03-01", imo=9307839, name="SHIP B"),
    ], ignore_index=True)  # fmt: skip
    result = vs.screen(ais, ofac, registry=registry)
    owners = [f for f in result.findings if f.kind == "owner_designated"]
    got = sorted((f.imo, f.evidence.parameters["role"], f.evidence.parameters["method"]) for f in owners)
    assert got == [(9074729, "operator", "company_imo"), (9307839, "registered_owner", "company_name")]
    assert {f.entry_ids for f in owners} == {("ofac_sdn:23712",)}
    with pytest.raises(vs.ColumnsError):
        vs.screen(ais, ofac, registry=pd.DataFrame({"owner": ["X"]}))


def test_risk_score_is_explained_by_its_breakdown() -> None:
    result = vs.screen(vs.read_ais(vs.demo.ais_path()), vs.load_watchlist(vs.demo.watchlist_path()))
    top = result.risk.iloc[0]
    assert top["mmsi"] == 273999301  # PORT OLYA 3: listed, four port calls, two in Iran
    parts = result.risk_breakdown[result.risk_breakdown["mmsi"] == top["mmsi"]]
    assert top["risk"] == min(100.0, round(parts["points"].sum(), 2))
    assert set(parts["kind"]) == {
        "designated_vessel",
        "port_call",
        "sanctioned_port_call",
        "voyage",
        "dark_gap",
    }
    assert set(result.risk["mmsi"]) == {273999301, 273999302, 273999303}


def test_geojson_features_follow_the_findings() -> None:
    result = vs.screen(vs.read_ais(vs.demo.ais_path()), vs.load_watchlist(vs.demo.watchlist_path()))
    result.positions = None  # drawn through the evidence positions (tracks: tests/report)
    collection = json.loads(result.to_geojson())
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == len(result.findings)
    for feature, finding in zip(collection["features"], result.findings, strict=True):
        assert feature["properties"]["kind"] == finding.kind
        first = finding.evidence.positions[0]
        coords = feature["geometry"]["coordinates"]
        assert coords[0] == [first.lon, first.lat]  # GeoJSON is lon, lat


def test_screen_vessel_quick_checks(ofac: vs.Watchlist) -> None:
    by_imo = vs.screen_vessel(ofac, imo="IMO 9187629")
    assert by_imo.listed
    assert by_imo.matches[0].method == "imo"
    assert by_imo.entries[0].name == "ARTAVIL"
    assert by_imo.entries[0].call_sign == "T2EU4"
    # a name (here an alias) is a lead, never a listing: a possible match and what would confirm it
    alone = vs.screen_vessel(ofac, name="ALPHA")
    assert not alone.listed
    assert [(m.entry_id, m.method, m.tier) for m in alone.possible] == [
        ("ofac_sdn:15036", "name", "possible")
    ]
    hint = "ofac_sdn:15036 (ARTAVIL): confirm with the listed IMO 9187629, MMSI 572469210, call sign T2EU4"
    assert alone.to_confirm == (hint + ", flag IR",)
    # with the listed flag it is a name-and-flag match, still possible: the list gives an IMO number
    with_flag = vs.screen_vessel(ofac, name="ALPHA", flag="IR")
    assert [(m.method, m.tier) for m in with_flag.matches] == [("name_flag", "possible")]
    assert not with_flag.listed
    # an exactly listed name (the example), and with the IMO the list gives: confirmed
    assert vs.screen_vessel(ofac, name="ARTAVIL").possible[0].entry_id == "ofac_sdn:15036"
    assert vs.screen_vessel(ofac, name="ARTAVIL", imo=9187629).listed
    with pytest.raises(vs.IdentifierError):
        vs.screen_vessel(ofac, imo="IMO 9187628")
    with pytest.raises(vs.ConfigError):
        vs.screen_vessel(ofac)


def test_screener_reports_each_finding_once_across_chunks() -> None:
    ais = vs.read_ais(vs.demo.ais_path()).sort_values("timestamp", kind="stable")
    watchlist = vs.load_watchlist(vs.demo.watchlist_path())
    whole = vs.screen(ais, watchlist)
    screener = vs.Screener(watchlist)
    reported = []
    for day in ais["timestamp"].dt.floor("4D").unique():  # a feed arriving in 4-day chunks
        reported += screener.feed(ais[ais["timestamp"].dt.floor("4D") == day])
    reported += screener.flush()  # the feed is over: the call still in progress ends there
    keys = [(f.kind.value, f.mmsi, f.port_id) for f in reported]
    assert len(keys) == len({(f.kind.value, f.mmsi, f.port_id, f.start) for f in reported})
    whole_calls = {(f.mmsi, f.port_id, f.start) for f in whole.findings if f.kind == "port_call"}
    live_calls = {(f.mmsi, f.port_id, f.start) for f in reported if f.kind == "port_call"}
    assert live_calls == whole_calls
    assert sum(f.kind == "designated_vessel" for f in reported) == 3


def test_a_builtin_rule_gives_its_findings_from_a_frame_or_from_records() -> None:
    """A subclass of `vs.BuiltinRule` may implement `frame` (rows of `schema.FINDING`) or
    `records` (one dict per finding, as the built-in rules do); each gives the other, and
    both give the same findings."""
    from typing import Any, ClassVar

    from vesselscreen.schema import FINDING
    from vesselscreen.screening.context import ScreeningContext
    from vesselscreen.screening.rules import PortCallRule, build_findings

    context = ScreeningContext.build(
        vs.read_ais(vs.demo.ais_path()), vs.load_watchlist(vs.demo.watchlist_path())
    )
    builtin = PortCallRule()
    records = builtin.records(context)
    assert records, "the demo has port calls of listed ships"
    frame = builtin.frame(context)
    assert frame[FINDING.START].tolist() == [record[FINDING.START] for record in records]

    class FromFrame(vs.BuiltinRule):
        name: ClassVar[str] = "calls_as_a_frame"
        kind: ClassVar[str] = "port_call"
        weight: float = 1.0

        def frame(self, context: ScreeningContext) -> pd.DataFrame:
            return builtin.frame(context)

    class Neither(vs.BuiltinRule):
        name: ClassVar[str] = "nothing"
        kind: ClassVar[str] = "nothing"
        weight: float = 1.0

    from_frame = FromFrame().apply(context)
    assert [f.model_dump() for f in from_frame] == [f.model_dump() for f in builtin.apply(context)]
    assert [f.model_dump() for f in build_findings(frame, context)] == [f.model_dump() for f in from_frame]
    rows: list[dict[str, Any]] = FromFrame().records(context)
    assert [row[FINDING.START] for row in rows] == [record[FINDING.START] for record in records]
    with pytest.raises(NotImplementedError, match="neither frame nor records"):
        Neither().apply(context)

"""The Watchlist container, its snapshot, and the public surface of vesselscreen.lists."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import vesselscreen.lists
from vesselscreen.errors import SchemaError
from vesselscreen.lists import SourceSnapshot, Watchlist, WatchlistSnapshot, load_watchlist
from vesselscreen.schema import ENTITY, ENTITY_DTYPES, WATCHLIST, WATCHLIST_DTYPES, validate

DATA = Path(__file__).parent.parent / "data" / "lists"


def snapshot(sha: str, source: str = "s") -> SourceSnapshot:
    return SourceSnapshot(
        source=source,
        format="custom_csv",
        location="x.csv",
        retrieved_at=datetime(2024, 5, 3, tzinfo=UTC),
        sha256=sha * 64,
        vessels=0,
        entities=0,
    )


def test_public_surface() -> None:
    assert vesselscreen.lists.__all__ == sorted(vesselscreen.lists.__all__)
    assert set(vesselscreen.lists.__all__) == {
        "SourceSnapshot",
        "Watchlist",
        "WatchlistSnapshot",
        "load_watchlist",
        # fetching and the snapshot store
        "ListSpec",
        "RawFile",
        "SnapshotDiff",
        "SnapshotInfo",
        "SnapshotStore",
        "StoreError",
        "UpdateResult",
        "fetch_watchlist",
        "make_session",
        "update_source",
        # format readers
        "read_eu_annex_xlii",
        "read_eu_fsf_csv",
        "read_eu_fsf_xml",
        "read_frame",
        "read_ofac_sdn_xml",
        "read_ofac_xml",
        "read_opensanctions",
        "read_opensanctions_maritime",
        "read_uk_csv",
        "read_uk_xml",
        "read_un_1718_csv",
        "read_un_xml",
    }
    for name in vesselscreen.lists.__all__:
        assert getattr(vesselscreen.lists, name) is not None


def test_constructor_conforms_frames() -> None:
    wl = Watchlist(pd.DataFrame({"name": ["X"], "imo": [9187629], "aliases": [None], "extra": [1]}))
    validate(wl.vessels, WATCHLIST_DTYPES)
    validate(wl.entities, ENTITY_DTYPES)
    assert wl.vessels.loc[0, WATCHLIST.ALIASES] == []
    assert wl.vessels.loc[0, WATCHLIST.PROGRAMS] == []
    assert list(wl.vessels.columns)[-1] == "extra"  # kept after the schema columns
    assert wl.snapshot == WatchlistSnapshot()
    assert wl.reports == ()


def test_constructor_refuses_uncastable_columns() -> None:
    with pytest.raises(SchemaError, match="imo"):
        Watchlist(pd.DataFrame({"name": ["X"], "imo": ["not a number"]}))


def test_from_frames() -> None:
    vessels = pd.DataFrame(
        {
            "name": ["PORT OLYA-3", "ARTAVIL"],
            "flag": ["RU", "IR"],
            "imo": [None, 9187629],
            "entry_id": [None, "mine:artavil"],
            "aliases": [None, ("ALPHA",)],
        }
    )
    entities = pd.DataFrame({"name": ["NATIONAL IRANIAN TANKER COMPANY"]})
    wl = Watchlist.from_frames(vessels, entities, source="mine", location="notebook")
    assert wl.vessels[WATCHLIST.ENTRY_ID].tolist() == ["mine:1", "mine:artavil"]
    assert wl.vessels[WATCHLIST.SOURCE].tolist() == ["mine", "mine"]
    assert wl.vessels[WATCHLIST.ALIASES].tolist() == [[], ["ALPHA"]]
    assert wl.entities[ENTITY.ENTRY_ID].tolist() == ["mine:1"]
    assert wl.entities[ENTITY.ENTITY_TYPE].tolist() == ["entity"]
    (snap,) = wl.snapshot.sources
    assert (snap.source, snap.format, snap.location, snap.vessels, snap.entities) == (
        "mine",
        "frames",
        "notebook",
        2,
        1,
    )
    again = Watchlist.from_frames(vessels, entities, source="mine", location="notebook")
    assert again.snapshot.id == wl.snapshot.id


def test_len_and_repr() -> None:
    wl = load_watchlist([DATA / "ofac" / "sdn.csv", DATA / "custom" / "caspian_watchlist.csv"])
    assert len(wl) == 84
    assert (
        repr(wl) == f"<Watchlist 84 vessels, 60 entities from ofac_sdn, custom (snapshot {wl.snapshot.id})>"
    )


def test_snapshot_id_is_stable_and_order_free() -> None:
    a, b = snapshot("a"), snapshot("b")
    assert WatchlistSnapshot(sources=(a, b)).id == WatchlistSnapshot(sources=(b, a)).id
    assert WatchlistSnapshot(sources=(a,)).id != WatchlistSnapshot(sources=(b,)).id
    assert len(WatchlistSnapshot(sources=(a,)).id) == 12
    first = load_watchlist(DATA / "ofac" / "sdn.csv")
    second = load_watchlist(DATA / "ofac" / "sdn.csv")
    assert first.snapshot.id == second.snapshot.id
    assert first.snapshot.sources[0].retrieved_at <= second.snapshot.sources[0].retrieved_at


def test_snapshot_validation() -> None:
    with pytest.raises(ValidationError):
        SourceSnapshot(
            source="s",
            format="f",
            location="l",
            retrieved_at=datetime(2024, 5, 3),  # naive: refused
            sha256="0" * 64,
            vessels=0,
            entities=0,
        )
    with pytest.raises(ValidationError):
        snapshot("not hex")
    with pytest.raises(ValidationError):
        SourceSnapshot.model_validate({**snapshot("a").model_dump(), "vessels": -1})
    frozen = snapshot("a")
    with pytest.raises(ValidationError):
        frozen.source = "other"


def test_concat_of_nothing_and_of_empties() -> None:
    empty = Watchlist.concat([])
    assert len(empty) == 0
    assert len(empty.entities) == 0
    validate(empty.vessels, WATCHLIST_DTYPES)
    twice = Watchlist.concat([empty, Watchlist(pd.DataFrame({"name": pd.Series([], dtype="string")}))])
    validate(twice.vessels, WATCHLIST_DTYPES)


def test_concat_keeps_sources_entry_ids_and_reports() -> None:
    ofac = load_watchlist(DATA / "ofac" / "sdn.csv")
    custom = load_watchlist(DATA / "custom" / "caspian_watchlist.csv")
    both = Watchlist.concat([ofac, custom])
    assert both.vessels[WATCHLIST.ENTRY_ID].tolist() == (
        ofac.vessels[WATCHLIST.ENTRY_ID].tolist() + custom.vessels[WATCHLIST.ENTRY_ID].tolist()
    )
    assert both.vessels[WATCHLIST.SOURCE].value_counts().to_dict() == {
        "ofac_sdn": 80,
        "caspian_demo": 3,
        "custom": 1,
    }
    assert len(both.entities) == 60
    assert both.reports == ofac.reports + custom.reports
    assert both.snapshot.sources == ofac.snapshot.sources + custom.snapshot.sources
    validate(both.vessels, WATCHLIST_DTYPES)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.text(min_size=1, max_size=8), max_size=6), max_size=5))
def test_concat_preserves_all_entries(lists_of_names: list[list[str]]) -> None:
    parts = [
        Watchlist.from_frames(pd.DataFrame({"name": pd.Series(names, dtype="string")}), source=f"list{i}")
        for i, names in enumerate(lists_of_names)
    ]
    combined = Watchlist.concat(parts)
    assert len(combined) == sum(len(names) for names in lists_of_names)
    assert combined.vessels[WATCHLIST.NAME].tolist() == [n for names in lists_of_names for n in names]
    assert combined.vessels[WATCHLIST.ENTRY_ID].tolist() == [
        f"list{i}:{j}" for i, names in enumerate(lists_of_names) for j in range(1, len(names) + 1)
    ]
    assert len(combined.snapshot.sources) == len(parts)
    validate(combined.vessels, WATCHLIST_DTYPES)

"""SnapshotStore: history, as-of views, diffs, first/last seen, concurrency, corruption."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vesselscreen.errors import ConfigError, InputError, VesselScreenError
from vesselscreen.lists import Watchlist
from vesselscreen.lists.ofac_csv import read_ofac_csv
from vesselscreen.lists.store import RawFile, SnapshotStore, StoreError, default_store_path
from vesselscreen.lists.watchlist import WatchlistSnapshot
from vesselscreen.schema import WATCHLIST

DATA = Path(__file__).parent.parent / "data" / "lists"
SDN = DATA / "ofac" / "sdn.csv"
SDN_BYTES = SDN.read_bytes()
LINES = SDN_BYTES.rstrip(b"\x1a").splitlines(keepends=True)


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2024, 5, day, hour, tzinfo=UTC)


def ofac(lines: list[bytes], when: datetime) -> tuple[Watchlist, list[RawFile]]:
    """An OFAC sdn.csv made of these real lines, as if downloaded at ``when``."""
    data = b"".join(lines) + b"\x1a"
    wl = read_ofac_csv(data, siblings=False)
    snap = wl.snapshot.sources[0].model_copy(update={"retrieved_at": when})
    wl.snapshot = WatchlistSnapshot(sources=(snap,))
    return wl, [RawFile("main", "https://example.org/SDN.CSV", data, etag='"v"')]


@pytest.fixture
def store(tmp_path: Path) -> SnapshotStore:
    return SnapshotStore(tmp_path / "store.sqlite3")


def test_snapshot_keeps_raw_bytes_compressed_and_entries(store: SnapshotStore) -> None:
    wl, files = ofac(LINES, at(3))
    info = store.add(wl, files)
    assert (info.source, info.format, info.vessels, info.entities) == ("ofac_sdn", "ofac_csv", 80, 60)
    assert (info.url, info.size, info.retrieved_at) == ("https://example.org/SDN.CSV", len(SDN_BYTES), at(3))
    assert info.sha256 == wl.snapshot.sources[0].sha256
    [raw] = store.files(info.id)
    assert (raw.data, raw.etag) == (SDN_BYTES, '"v"')
    with sqlite3.connect(store.path) as con:
        stored = con.execute("SELECT length(data) FROM files").fetchone()[0]
        mode = con.execute("PRAGMA journal_mode").fetchone()[0]
        version = con.execute("SELECT version FROM schema_version").fetchone()[0]
    assert stored < len(SDN_BYTES) / 4
    assert (mode, version) == ("wal", 2)
    # entries come back with the same values and dtypes
    back = store.load(info.id)
    pd.testing.assert_frame_equal(back.vessels[wl.vessels.columns], wl.vessels)
    pd.testing.assert_frame_equal(back.entities[wl.entities.columns], wl.entities)


def test_identical_content_is_not_stored_twice(store: SnapshotStore) -> None:
    first = store.add(*ofac(LINES, at(3)))
    again = store.add(*ofac(LINES, at(4)))
    assert again.id == first.id
    assert (again.retrieved_at, again.checked_at) == (at(3), at(4))
    assert len(store.snapshots()) == 1


def test_as_of_picks_the_latest_snapshot_on_or_before_the_day(store: SnapshotStore) -> None:
    old = store.add(*ofac(LINES[:100], at(1)))
    new = store.add(*ofac(LINES, at(3)))
    sha = {
        d: store.watchlist(as_of=d).snapshot.sources[0].sha256 for d in (date(2024, 5, 1), date(2024, 5, 2))
    }
    assert sha == {date(2024, 5, 1): old.sha256, date(2024, 5, 2): old.sha256}
    assert store.watchlist(as_of=date(2024, 5, 3)).snapshot.sources[0].sha256 == new.sha256
    assert store.watchlist(as_of=at(3, 11)).snapshot.sources[0].sha256 == old.sha256  # before 12:00
    assert store.watchlist().snapshot.sources[0].sha256 == new.sha256
    with pytest.raises(StoreError, match=r"no snapshot of any source retrieved on or before 2024-04-30"):
        store.watchlist(as_of=date(2024, 4, 30))
    with pytest.raises(StoreError, match="no snapshot of 'uk'"):
        store.watchlist(sources=["ofac_sdn", "uk"])
    with pytest.raises(ConfigError, match="timezone"):
        store.watchlist(as_of=datetime(2024, 5, 3))  # naive on purpose


def test_several_sources_combine_per_source(store: SnapshotStore) -> None:
    store.add(*ofac(LINES, at(1)))
    mine = Watchlist.from_frames(pd.DataFrame({"name": ["PORT OLYA-3"], "flag": ["RU"]}), source="mine",
                                 retrieved_at=at(2))  # fmt: skip
    store.add(mine)
    wl = store.watchlist(as_of=date(2024, 5, 2))
    assert [s.source for s in wl.snapshot.sources] == ["mine", "ofac_sdn"]
    assert len(wl) == 81
    assert len(store.watchlist(as_of=date(2024, 5, 1))) == 80
    assert store.sources() == ["mine", "ofac_sdn"]


def test_diff_lists_added_removed_and_changed_fields(store: SnapshotStore) -> None:
    # 15036 (ARTAVIL) changes its call sign; the last 10 rows are new; the first row goes
    changed = [line.replace(b'"T2EU4"', b'"T2EU5"') if line.startswith(b"15036,") else line for line in LINES]
    a = store.add(*ofac(LINES[:-10], at(1)))
    b = store.add(*ofac(changed[1:], at(2)))
    diff = store.diff(a.id, b.id)
    new_vessels = {f"ofac_sdn:{line.split(b',')[0].decode()}" for line in LINES[-10:] if b'"vessel"' in line}
    assert set(diff.added[WATCHLIST.ENTRY_ID]) == new_vessels
    assert diff.removed[WATCHLIST.ENTRY_ID].tolist() == ["ofac_sdn:4238"]
    assert diff.changed[[WATCHLIST.ENTRY_ID, WATCHLIST.NAME, "field", "old", "new"]].to_dict("records") == [
        {
            "entry_id": "ofac_sdn:15036",
            "name": "ARTAVIL",
            "field": "call_sign",
            "old": "T2EU4",
            "new": "T2EU5",
        }
    ]
    assert diff.summary().endswith(f"{len(new_vessels)} vessels added, 1 removed, 1 changed")
    backwards = store.diff(b.id, a.id)
    assert set(backwards.removed[WATCHLIST.ENTRY_ID]) == new_vessels
    assert store.diff(a.id, a.id).changed.empty
    entities = store.diff(a.id, b.id, kind="entities")
    assert entities.removed.empty
    assert entities.changed.empty


def test_diff_refuses_snapshots_of_different_sources(store: SnapshotStore) -> None:
    a = store.add(*ofac(LINES, at(1)))
    b = store.add(Watchlist.from_frames(pd.DataFrame({"name": ["X"]}), source="mine"))
    with pytest.raises(ConfigError, match="different sources"):
        store.diff(a.id, b.id)
    with pytest.raises(ConfigError, match="no snapshot #99"):
        store.diff(a.id, 99)


def test_first_and_last_seen_fill_listing_and_delisting_dates(store: SnapshotStore) -> None:
    first_vessel = next(line for line in LINES if b'"vessel"' in line)  # 4238 MAR AZUL
    store.add(*ofac(LINES[:-10], at(1)))
    store.add(*ofac(LINES, at(3)))
    store.add(*ofac([line for line in LINES if line is not first_vessel], at(5)))
    history = store.entry_history("ofac_sdn").set_index("entry_id")
    assert list(history.loc["ofac_sdn:4238", ["first_seen", "last_seen", "listed", "delisted_at"]]) == [
        pd.Timestamp(at(1)), pd.Timestamp(at(3)), False, pd.Timestamp(at(5)),
    ]  # fmt: skip
    newest = LINES[-1].split(b",")[0].decode()
    assert history.loc[f"ofac_sdn:{newest}", "first_seen"] == pd.Timestamp(at(3))
    assert bool(history.loc[f"ofac_sdn:{newest}", "listed"])

    wl = store.watchlist(as_of=date(2024, 5, 5), include_delisted=True)
    vessels = wl.vessels.set_index(WATCHLIST.ENTRY_ID)
    assert vessels.loc["ofac_sdn:4238", WATCHLIST.DELISTED_ON] == pd.Timestamp("2024-05-05", tz="UTC")
    # listed_on: unknown for what the first snapshot already had, the day first seen for later ones
    added = {f"ofac_sdn:{line.split(b',')[0].decode()}" for line in LINES[-10:] if b'"vessel"' in line}
    listed = vessels[WATCHLIST.LISTED_ON].dropna()
    assert set(listed.index) == added
    assert set(listed) == {pd.Timestamp("2024-05-03", tz="UTC")}
    assert "ofac_sdn:4238" not in set(store.watchlist(as_of=date(2024, 5, 5)).vessels[WATCHLIST.ENTRY_ID])
    # as of the 4th, the ship was still listed
    assert vessels.loc["ofac_sdn:15036", "first_seen"] == pd.Timestamp(at(1))
    then = store.watchlist(as_of=date(2024, 5, 4), include_delisted=True).vessels
    assert then[WATCHLIST.DELISTED_ON].isna().all()


def test_a_listing_date_from_the_list_is_kept(store: SnapshotStore) -> None:
    def mine(names: list[str], when: datetime) -> Watchlist:
        frame = pd.DataFrame({"name": names, "entry_id": [f"mine:{n}" for n in names]})
        frame["listed_on"] = pd.Timestamp("2020-01-01", tz="UTC")
        return Watchlist.from_frames(frame, source="mine", retrieved_at=when)

    store.add(mine(["A"], at(1)))
    store.add(mine(["A", "B"], at(2)))
    listed = store.watchlist().vessels.set_index(WATCHLIST.ENTRY_ID)[WATCHLIST.LISTED_ON]
    assert set(listed) == {pd.Timestamp("2020-01-01", tz="UTC")}


def test_implausible_snapshot_is_not_written(store: SnapshotStore) -> None:
    good = store.add(*ofac(LINES, at(1)))
    with pytest.raises(
        InputError,
        match=r"implausible list: 17 vessels and 3 other entries where the last snapshot #1 "
        r"\(2024-05-01 12:00Z\) had 80 and 60 \(the minimum is 50% of each\)",
    ):
        store.add(*ofac(LINES[:20], at(2)), min_fraction=0.5)
    assert [s.id for s in store.snapshots()] == [good.id]
    assert store.latest("ofac_sdn") == good


def test_a_list_that_lost_its_vessels_but_kept_its_parties_is_implausible(store: SnapshotStore) -> None:
    good = store.add(*ofac(LINES, at(1)))
    # 8 of 80 vessels left, all 60 parties kept: 68 of 140 entries would pass a combined check
    vessels = [line for line in LINES if b'"vessel"' in line]
    kept = [line for line in LINES if b'"vessel"' not in line or line in vessels[:8]]
    with pytest.raises(
        InputError, match=r"implausible list: 8 vessels where .* had 80 \(the minimum is 50% of that\)"
    ):
        store.add(*ofac(kept, at(2)), min_fraction=0.5)
    assert store.latest("ofac_sdn") == good
    # parties on their own too
    parties = [line for line in LINES if b'"vessel"' in line]
    with pytest.raises(InputError, match=r"implausible list: 0 other entries where .* had 60"):
        store.add(*ofac(parties, at(2)), min_fraction=0.5)


def test_watchlist_of_several_sources_is_rejected_by_add(store: SnapshotStore) -> None:
    a = Watchlist.from_frames(pd.DataFrame({"name": ["A"]}), source="a")
    b = Watchlist.from_frames(pd.DataFrame({"name": ["B"]}), source="b")
    with pytest.raises(ConfigError, match="exactly one source"):
        store.add(Watchlist.concat([a, b]))


@pytest.mark.parametrize(
    "content",
    [b"this is not a database, just junk bytes " * 200, b"SQLite format 3\x00" + b"\xff" * 4000],
    ids=["junk", "damaged-header"],
)
def test_corrupted_database_is_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "lists.sqlite3"
    path.write_bytes(content)
    with pytest.raises(StoreError, match=r"lists\.sqlite3: not a usable snapshot store") as caught:
        SnapshotStore(path)
    assert isinstance(caught.value, VesselScreenError)
    assert caught.value.source == str(path)


def test_other_sqlite_database_and_newer_schema_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as con:
        con.execute("CREATE TABLE customers (id INTEGER)")
    with pytest.raises(StoreError, match="not a vesselscreen snapshot store"):
        SnapshotStore(other)
    newer = tmp_path / "newer.sqlite3"
    SnapshotStore(newer)
    with sqlite3.connect(newer) as con:
        con.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(StoreError, match="schema version 99"):
        SnapshotStore(newer)


def test_default_path_is_per_user_and_overridable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("VESSELSCREEN_STORE", raising=False)
    assert default_store_path().parts[-2:] == ("vesselscreen", "snapshots.sqlite3")
    monkeypatch.setenv("VESSELSCREEN_STORE", str(tmp_path / "x.sqlite3"))
    assert SnapshotStore().path == tmp_path / "x.sqlite3"


WRITER = textwrap.dedent(
    """
    import sys
    import pandas as pd
    from vesselscreen.lists import Watchlist
    from vesselscreen.lists.store import RawFile, SnapshotStore

    path, tag = sys.argv[1], sys.argv[2]
    store = SnapshotStore(path, timeout=60)
    for i in range(5):
        name = f"{tag}-{i}"
        wl = Watchlist.from_frames(pd.DataFrame({"name": [name]}), source=f"src-{tag}")
        store.add(wl, [RawFile("main", f"http://x/{name}", name.encode() * 1000)])
    """
)


def test_two_processes_updating_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), tag], stderr=subprocess.PIPE)
        for tag in "ab"
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    store = SnapshotStore(path)
    assert [(s.source, s.vessels) for s in store.snapshots()] == [("src-a", 1)] * 5 + [("src-b", 1)] * 5
    names = store.watchlist().vessels[WATCHLIST.NAME].tolist()
    assert names == ["a-4", "b-4"]
    assert len(store.entry_history()) == 2  # each writer reuses the entry id src-x:1


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    keep_a=st.sets(st.integers(0, len(LINES) - 1), min_size=1),
    keep_b=st.sets(st.integers(0, len(LINES) - 1), min_size=1),
)
def test_diff_adds_and_removes_exactly_the_set_difference(
    tmp_path_factory: pytest.TempPathFactory, keep_a: set[int], keep_b: set[int]
) -> None:
    store = SnapshotStore(tmp_path_factory.mktemp("prop") / "s.sqlite3")
    a = store.add(*ofac([LINES[i] for i in sorted(keep_a)], at(1)))
    b = store.add(*ofac([LINES[i] for i in sorted(keep_b)], at(2)))
    ids = {
        i: f"ofac_sdn:{LINES[i].split(b',')[0].decode()}" for i in keep_a | keep_b if b'"vessel"' in LINES[i]
    }
    diff = store.diff(a.id, b.id)
    assert set(diff.added[WATCHLIST.ENTRY_ID]) == {ids[i] for i in keep_b - keep_a if i in ids}
    assert set(diff.removed[WATCHLIST.ENTRY_ID]) == {ids[i] for i in keep_a - keep_b if i in ids}
    assert diff.changed.empty or a.id == b.id  # same rows, same values
    # nothing lost: the as-of view of each day is exactly that day's rows
    assert len(store.watchlist(as_of=date(2024, 5, 1))) == sum(i in ids for i in keep_a)

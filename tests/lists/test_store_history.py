"""Dated history: imports in any order, listing and delisting intervals, statuses, migration, locks."""

from __future__ import annotations

import functools
import itertools
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vesselscreen.errors import ConfigError, FormatError, InputError, SourceNotFoundError, VesselScreenError
from vesselscreen.lists import Watchlist
from vesselscreen.lists.imports import (
    NAME_DATE,
    date_from_name,
    folder_copies,
    import_file,
    import_folder,
    import_manifest,
    manifest_copies,
    parse_time,
)
from vesselscreen.lists.ofac_csv import read_ofac_csv
from vesselscreen.lists.store import RawFile, SnapshotStore, StoreError
from vesselscreen.lists.watchlist import WatchlistSnapshot
from vesselscreen.models import DesignationStatus
from vesselscreen.schema import WATCHLIST
from vesselscreen.screening.status import designation_status

DATA = Path(__file__).parent.parent / "data" / "lists" / "ofac"
SDN_BYTES = (DATA / "sdn.csv").read_bytes()
LINES = SDN_BYTES.rstrip(b"\x1a").splitlines(keepends=True)
VESSELS = [line for line in LINES if b'"vessel"' in line]
NEW = VESSELS[-1]  # 16071 in the sample; the "early" copies lack it
GONE = VESSELS[0]  # 4238 MAR AZUL; the "late" copies lack it
NEW_ID = "ofac_sdn:" + NEW.split(b",")[0].decode()
GONE_ID = "ofac_sdn:" + GONE.split(b",")[0].decode()

EARLY = b"".join(line for line in LINES if line is not NEW) + b"\x1a"
LATE = b"".join(line for line in LINES if line is not GONE) + b"\x1a"


def at(month: int, day: int, hour: int = 6) -> datetime:
    return datetime(2024, month, day, hour, tzinfo=UTC)


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


@functools.cache
def parsed(data: bytes) -> Watchlist:
    return read_ofac_csv(data, siblings=False)


def add(store: SnapshotStore, data: bytes, when: datetime) -> int:
    parse = parsed(data)
    wl = Watchlist(parse.vessels, parse.entities, snapshot=parse.snapshot)
    snap = wl.snapshot.sources[0].model_copy(update={"retrieved_at": when})
    wl.snapshot = WatchlistSnapshot(sources=(snap,))
    return store.add(wl, [RawFile("main", "sdn.csv", data)]).id


@pytest.fixture
def store(tmp_path: Path) -> SnapshotStore:
    return SnapshotStore(tmp_path / "store.sqlite3")


SERIES = [(at(5, 3), EARLY), (at(8, 30), EARLY), (at(9, 11), LATE), (at(9, 20), LATE)]


def vessel(store: SnapshotStore, entry_id: str, **kwargs: object) -> pd.Series:
    vessels = store.watchlist(include_delisted=True, **kwargs).vessels  # type: ignore[arg-type]  # as_of
    return vessels.set_index(WATCHLIST.ENTRY_ID).loc[entry_id]


# ---------------------------------------------------------------------------- intervals


def test_an_entry_that_appears_between_two_copies_is_listed_between_their_days(store: SnapshotStore) -> None:
    for when, data in SERIES:
        add(store, data, when)
    row = vessel(store, NEW_ID)
    assert (row[WATCHLIST.LISTED_NOT_BEFORE], row[WATCHLIST.LISTED_ON]) == (
        day("2024-08-30"),
        day("2024-09-11"),
    )
    assert pd.isna(row[WATCHLIST.DELISTED_ON])
    assert pd.isna(row[WATCHLIST.DELISTED_NOT_BEFORE])
    gone = vessel(store, GONE_ID)
    assert (gone[WATCHLIST.DELISTED_NOT_BEFORE], gone[WATCHLIST.DELISTED_ON]) == (
        day("2024-08-30"),
        day("2024-09-11"),
    )
    # present in the first copy: listed at some unknown earlier time
    assert pd.isna(gone[WATCHLIST.LISTED_ON])
    assert pd.isna(gone[WATCHLIST.LISTED_NOT_BEFORE])
    # the identical 30 August copy was stored once, but counts as an observation
    assert [s.id for s in store.snapshots()] == [1, 2]
    first = store.info(1)
    assert (first.retrieved_at, first.checked_at) == (at(5, 3), at(8, 30))
    assert len(store.observations("ofac_sdn")) == 4


def test_an_identical_later_copy_narrows_the_interval(store: SnapshotStore) -> None:
    add(store, EARLY, at(5, 3))
    add(store, LATE, at(9, 11))
    assert vessel(store, NEW_ID)[WATCHLIST.LISTED_NOT_BEFORE] == day("2024-05-03")
    add(store, EARLY, at(9, 9))  # still absent on 9 September
    assert vessel(store, NEW_ID)[WATCHLIST.LISTED_NOT_BEFORE] == day("2024-09-09")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(len(SERIES))))
def test_the_order_of_imports_does_not_change_the_history(
    tmp_path_factory: pytest.TempPathFactory, order: list[int]
) -> None:
    store = SnapshotStore(tmp_path_factory.mktemp("order") / "s.sqlite3")
    for i in order:
        add(store, *reversed(SERIES[i]))  # type: ignore[arg-type]  # (data, when)
    history = store.entry_history("ofac_sdn").set_index("entry_id")
    assert history.loc[NEW_ID, ["first_seen", "last_absent", "appeared_at", "listed"]].tolist() == [
        pd.Timestamp(at(9, 11)), pd.Timestamp(at(8, 30)), pd.Timestamp(at(9, 11)), True,
    ]  # fmt: skip
    assert history.loc[GONE_ID, ["last_seen", "delisted_at", "listed"]].tolist() == [
        pd.Timestamp(at(8, 30)), pd.Timestamp(at(9, 11)), False,
    ]  # fmt: skip
    as_of = store.watchlist(as_of=date(2024, 9, 1)).vessels[WATCHLIST.ENTRY_ID]
    assert GONE_ID in set(as_of)
    assert NEW_ID not in set(as_of)
    assert len(as_of) == 79


def test_a_relisted_entry_is_dated_by_its_latest_listing(store: SnapshotStore) -> None:
    add(store, LATE, at(5, 3))  # GONE absent at first
    add(store, EARLY, at(6, 1))  # listed
    add(store, LATE, at(7, 1))  # delisted: content seen before
    add(store, EARLY, at(8, 1))  # listed again
    assert [s.id for s in store.snapshots()] == [1, 2]
    history = store.entry_history("ofac_sdn").set_index("entry_id").loc[GONE_ID]
    assert (history["first_seen"], history["last_absent"], history["appeared_at"]) == (
        pd.Timestamp(at(6, 1)), pd.Timestamp(at(7, 1)), pd.Timestamp(at(8, 1)),
    )  # fmt: skip
    row = vessel(store, GONE_ID)
    assert (row[WATCHLIST.LISTED_NOT_BEFORE], row[WATCHLIST.LISTED_ON]) == (
        day("2024-07-01"),
        day("2024-08-01"),
    )
    # as of mid-July it was delisted, between the June and July copies
    july = vessel(store, GONE_ID, as_of=date(2024, 7, 15))
    assert (july[WATCHLIST.DELISTED_NOT_BEFORE], july[WATCHLIST.DELISTED_ON]) == (
        day("2024-06-01"),
        day("2024-07-01"),
    )


def test_a_date_the_list_gives_wins_over_the_history(store: SnapshotStore) -> None:
    def mine(names: list[str], when: datetime) -> None:
        frame = pd.DataFrame({"name": names, "entry_id": [f"mine:{n}" for n in names]})
        frame["listed_on"] = pd.Timestamp("2020-01-01", tz="UTC")
        store.add(Watchlist.from_frames(frame, source="mine", retrieved_at=when))

    mine(["A"], at(1, 1))
    mine(["A", "B"], at(2, 1))
    vessels = store.watchlist().vessels.set_index(WATCHLIST.ENTRY_ID)
    assert set(vessels[WATCHLIST.LISTED_ON]) == {day("2020-01-01")}
    assert vessels[WATCHLIST.LISTED_NOT_BEFORE].isna().all()


# ---------------------------------------------------------------------------- status as of events


def test_events_before_inside_and_after_the_interval(store: SnapshotStore) -> None:
    for when, data in SERIES:
        add(store, data, when)
    vessels = store.watchlist(include_delisted=True).vessels.set_index(WATCHLIST.ENTRY_ID)
    events = pd.to_datetime(
        [
            "2024-08-29 23:00",
            "2024-08-30 01:00",
            "2024-09-05 12:00",
            "2024-09-10 23:59",
            "2024-09-11 00:00",
            "2024-12-01 00:00",
        ],
        utc=True,
    )

    def status(entry_id: str) -> list[str]:
        row = vessels.loc[entry_id]
        n = len(events)
        names = (WATCHLIST.LISTED_ON, WATCHLIST.DELISTED_ON, WATCHLIST.LISTED_NOT_BEFORE,
                 WATCHLIST.DELISTED_NOT_BEFORE)  # fmt: skip
        column = {name: pd.Series([row[name]] * n, dtype="datetime64[ns, UTC]") for name in names}
        return designation_status(
            pd.Series(events),
            column[WATCHLIST.LISTED_ON],
            column[WATCHLIST.DELISTED_ON],
            listed_not_before=column[WATCHLIST.LISTED_NOT_BEFORE],
            delisted_not_before=column[WATCHLIST.DELISTED_NOT_BEFORE],
        ).tolist()

    pre, unsure, listed = "pre_designation", "listing_uncertain", "designated"
    assert status(NEW_ID) == [pre, unsure, unsure, unsure, listed, listed]
    unknown, leaving, gone = "listing_date_unknown", "delisting_uncertain", "delisted"
    assert status(GONE_ID) == [unknown, leaving, leaving, leaving, gone, gone]
    # the rules' current call (no interval keywords) keeps its meaning
    row = vessels.loc[NEW_ID]
    plain = designation_status(
        pd.Series(events),
        pd.Series([row[WATCHLIST.LISTED_ON]] * len(events), dtype="datetime64[ns, UTC]"),
        pd.Series([pd.NaT] * len(events), dtype="datetime64[ns, UTC]"),
    )
    assert plain.tolist() == [pre, pre, pre, pre, listed, listed]
    assert {s.value for s in DesignationStatus} >= {unsure, leaving}


# ---------------------------------------------------------------------------- refusals


def test_naive_and_future_times_and_clashes_are_refused(store: SnapshotStore) -> None:
    wl = read_ofac_csv(EARLY, siblings=False)
    with pytest.raises(ConfigError, match="needs a timezone"):
        store.add(wl, retrieved_at=datetime(2024, 5, 3))  # naive on purpose
    with pytest.raises(ConfigError, match="is in the future"):
        store.add(wl, retrieved_at=datetime.now(UTC) + timedelta(days=1))
    store.add(wl, retrieved_at=at(5, 3))
    assert store.add(wl, retrieved_at=at(5, 3)).id == 1  # the same copy again: nothing new
    with pytest.raises(
        ConfigError, match=r"already has another snapshot \(#1\) observed at 2024-05-03 06:00:00Z"
    ):
        store.add(read_ofac_csv(LATE, siblings=False), retrieved_at=at(5, 3))
    assert len(store.observations()) == 1


def test_plausibility_compares_with_the_copy_just_before_in_time(store: SnapshotStore) -> None:
    add(store, SDN_BYTES, at(5, 3))
    small = b"".join(LINES[:10]) + b"\x1a"
    wl = read_ofac_csv(small, siblings=False)
    with pytest.raises(InputError, match=r"implausible list: .* vessels .* #1 \(2024-05-03 06:00Z\)"):
        store.add(wl, retrieved_at=at(6, 1), min_fraction=0.5)
    # an older, smaller copy has no predecessor to compare with
    assert store.add(wl, retrieved_at=at(1, 1), min_fraction=0.5).id == 2


# ---------------------------------------------------------------------------- imports


def test_file_names_give_dates() -> None:
    assert date_from_name("sdn_2024-09-11.csv") == datetime(2024, 9, 11, tzinfo=UTC)
    assert date_from_name("SDN_20240911T0615Z.CSV") == datetime(2024, 9, 11, 6, 15, tzinfo=UTC)
    assert date_from_name("sdn 2024-09-11T06-15-30.csv") == datetime(2024, 9, 11, 6, 15, 30, tzinfo=UTC)
    assert date_from_name("sdn_20241399.csv") is None  # not a date
    assert date_from_name("sdn_123456789.csv") is None
    assert parse_time("2024-09-11T06:00+02:00") == datetime(2024, 9, 11, 4, tzinfo=UTC)
    with pytest.raises(ConfigError, match="needs a UTC offset"):
        parse_time("2024-09-11T06:00")


def write_series(folder: Path) -> None:
    folder.mkdir()
    (folder / "sdn_2024-09-11T0600Z.csv").write_bytes(LATE)
    (folder / "sdn_2024-05-03.csv").write_bytes(EARLY)
    (folder / "sdn_2024-08-30.csv").write_bytes(EARLY)
    (folder / ".DS_Store").write_bytes(b"\x00")  # hidden files are not copies


def test_a_folder_imports_oldest_first_and_dates_the_new_entry(store: SnapshotStore, tmp_path: Path) -> None:
    write_series(tmp_path / "archive")
    results = import_folder(store, tmp_path / "archive", source="ofac_sdn")
    assert [(r.path.name, r.status, r.snapshot.id) for r in results] == [
        ("sdn_2024-05-03.csv", "added", 1),
        ("sdn_2024-08-30.csv", "seen", 1),
        ("sdn_2024-09-11T0600Z.csv", "added", 2),
    ]
    assert (
        results[2]
        .summary()
        .startswith("2024-09-11 06:00Z ofac_sdn sdn_2024-09-11T0600Z.csv: new snapshot #2")
    )
    assert store.info(2).format == "ofac_csv"
    assert store.info(2).url == str((tmp_path / "archive" / "sdn_2024-09-11T0600Z.csv").resolve())
    row = vessel(store, NEW_ID)
    assert (row[WATCHLIST.LISTED_NOT_BEFORE], row[WATCHLIST.LISTED_ON]) == (
        day("2024-08-30"),
        day("2024-09-11"),
    )
    # importing the same folder again only repeats observations
    assert {r.status for r in import_folder(store, tmp_path / "archive", source="ofac_sdn")} == {"seen"}
    assert len(store.observations()) == 3


def test_a_folder_with_an_undated_file_is_refused_before_anything_is_imported(
    store: SnapshotStore, tmp_path: Path
) -> None:
    write_series(tmp_path / "archive")
    (tmp_path / "archive" / "sdn.csv").write_bytes(EARLY)
    (tmp_path / "archive" / "notes.txt").write_bytes(b"where these came from")
    with pytest.raises(ConfigError, match=r"no date in the name of notes\.txt, sdn\.csv"):
        import_folder(store, tmp_path / "archive", source="ofac_sdn")
    assert store.snapshots() == []
    with pytest.raises(SourceNotFoundError, match="no such folder"):
        folder_copies(tmp_path / "nowhere", source="ofac_sdn")


def test_a_bad_copy_in_a_series_is_reported_after_the_others(store: SnapshotStore, tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    write_series(folder)
    (folder / "sdn_2024-06-01.csv").write_bytes(b"<html><body>Service unavailable</body></html>")
    with pytest.raises(FormatError, match="an HTML page, not the list"):
        import_folder(store, folder, source="ofac_sdn")
    assert len(store.observations()) == 3  # the good copies are in


def test_a_manifest_names_paths_sources_and_times(store: SnapshotStore, tmp_path: Path) -> None:
    write_series(tmp_path / "archive")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "path,source,retrieved_at\n"
        "archive/sdn_2024-09-11T0600Z.csv,ofac_sdn,2024-09-11T06:00Z\n"
        "archive/sdn_2024-05-03.csv,ofac_sdn,2024-05-03\n"
        "\n"
        f"{(tmp_path / 'archive' / 'sdn_2024-08-30.csv').resolve()},ofac_sdn,2024-08-30T12:00:00+00:00\n",
        encoding="utf-8",
    )
    assert [c.retrieved_at for c in manifest_copies(manifest)] == [at(5, 3, 0), at(8, 30, 12), at(9, 11)]
    results = import_manifest(store, manifest)
    assert [r.status for r in results] == ["added", "seen", "added"]
    bad = tmp_path / "bad.csv"
    bad.write_text("path,source,retrieved_at\nx.csv,,2024-01-01\ny.csv,ofac_sdn,2024-01-01T00:00\n")
    with pytest.raises(
        FormatError, match=r"line 2: path and source are required; line 3 retrieved_at: .*offset"
    ):
        manifest_copies(bad)
    missing = tmp_path / "columns.csv"
    missing.write_text("file,when\nx,y\n")
    with pytest.raises(FormatError, match="missing: path, source, retrieved_at"):
        manifest_copies(missing)


def test_import_file_refuses_what_a_download_would(store: SnapshotStore, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(FormatError):
        import_file(store, empty, source="ofac_sdn", retrieved_at=date(2024, 5, 3))
    with pytest.raises(SourceNotFoundError):
        import_file(store, tmp_path / "missing.csv", source="ofac_sdn", retrieved_at=date(2024, 5, 3))
    big = tmp_path / "big.csv"
    big.write_bytes(EARLY)
    with pytest.raises(InputError, match="over the size cap of 1,000 bytes"):
        import_file(store, big, source="ofac_sdn", retrieved_at=date(2024, 5, 3), max_bytes=1000)
    with pytest.raises(ConfigError, match="needs a timezone"):
        import_file(store, big, source="ofac_sdn", retrieved_at=datetime(2024, 5, 3))  # naive on purpose
    # a source outside the registry: format sniffed, entries labelled with the name given
    result = import_file(store, big, source="our_archive", retrieved_at=date(2024, 5, 3))
    assert store.load(result.snapshot.id).vessels[WATCHLIST.ENTRY_ID].str.startswith("our_archive:").all()
    assert store.snapshots() != []


# ---------------------------------------------------------------------------- the database


def test_a_version_1_store_is_migrated_with_its_dates(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite3"
    store = SnapshotStore(path)
    add(store, EARLY, at(5, 3))
    add(store, LATE, at(9, 11))
    with sqlite3.connect(path) as con:  # what version 1 wrote: two dates per snapshot, no observations
        con.execute("UPDATE snapshots SET checked_at = ? WHERE id = 1", ("2024-08-30T06:00:00.000000+00:00",))
        con.execute("DROP TABLE observations")
        con.execute("UPDATE schema_version SET version = 1")
    migrated = SnapshotStore(path)
    assert migrated.observations()["observed_at"].tolist() == [
        pd.Timestamp(at(5, 3)), pd.Timestamp(at(8, 30)), pd.Timestamp(at(9, 11)),
    ]  # fmt: skip
    assert vessel(migrated, NEW_ID)[WATCHLIST.LISTED_NOT_BEFORE] == day("2024-08-30")
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT version FROM schema_version").fetchall() == [(2,)]


HOLDER = textwrap.dedent(
    """
    import sqlite3, sys, time
    con = sqlite3.connect(sys.argv[1], isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    con.execute("INSERT INTO schema_version (version) VALUES (2)")
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    con.execute("ROLLBACK")
    """
)


def test_reading_does_not_wait_for_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "busy.sqlite3"
    add(SnapshotStore(path), EARLY, at(5, 3))
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), "20"], stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == b"locked\n"
        started = time.monotonic()
        store = SnapshotStore(path, timeout=5)
        assert len(store.watchlist()) == 79
        assert [s.id for s in store.snapshots()] == [1]
        assert len(store.entry_history()) == 139
        assert time.monotonic() - started < 3
        with pytest.raises(
            StoreError, match=r"busy: another process held the snapshot store for more than 0\.5 s"
        ):
            add(SnapshotStore(path, timeout=0.5), LATE, at(9, 11))
    finally:
        holder.kill()
        holder.communicate()


def test_observations_frame_and_several_sources(store: SnapshotStore) -> None:
    add(store, EARLY, at(5, 3))
    store.add(Watchlist.from_frames(pd.DataFrame({"name": ["X"]}), source="mine", retrieved_at=at(6, 1)))
    frame = store.observations()
    assert list(frame.columns) == ["source", "observed_at", "snapshot_id"]
    assert frame["source"].tolist() == ["mine", "ofac_sdn"]
    assert str(frame["observed_at"].dtype) == "datetime64[ns, UTC]"
    assert [s.source for s in store.watchlist(as_of=date(2024, 5, 31)).snapshot.sources] == ["ofac_sdn"]
    assert sorted(itertools.chain(*[[s.source] for s in store.watchlist().snapshot.sources])) == [
        "mine",
        "ofac_sdn",
    ]


@settings(max_examples=200, deadline=None)
@given(name=st.text(max_size=40))
def test_any_file_name_gives_a_utc_time_or_none(name: str) -> None:
    found = date_from_name(name)
    assert found is None or (found.tzinfo is UTC and NAME_DATE.search(name) is not None)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=30))
def test_any_time_text_is_a_utc_time_or_a_config_error(text: str) -> None:
    try:
        moment = parse_time(text)
    except ConfigError:
        return
    assert moment.utcoffset() == timedelta(0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.text(
        alphabet=st.sampled_from(list('path,source,retrieved_at\n"x.csv2024-01T0Z:+ ')), max_size=120
    )
)
def test_any_manifest_gives_copies_or_a_library_error(tmp_path: Path, body: str) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text(body, encoding="utf-8")
    try:
        copies = manifest_copies(manifest)
    except VesselScreenError:
        return
    assert all(c.retrieved_at.utcoffset() == timedelta(0) and c.source for c in copies)

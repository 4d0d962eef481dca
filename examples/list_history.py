"""List history: date OFAC's undated sdn.csv from copies you kept, then screen a voyage across a listing.

Run:  .venv/bin/python examples/list_history.py

OFAC's legacy sdn.csv carries no listing dates. Three dated copies of it give the
snapshot store a past: the real 3 May 2024 sample (tests/data/lists/ofac/sdn.csv), the
same file kept again on 30 August, and an 11 September copy made from it by ADDING
three rows (PORT OLYA-3, PORT OLYA-4 and MUSA JALIL, written for this example in
sdn.csv's layout: not OFAC's own rows) and REMOVING one (MAR AZUL). They are imported
out of order on purpose. PORT OLYA-3 is then "listed between 30 August and 11
September", and its port calls in the SIMULATED demo AIS (vesselscreen/data/demo) fall
before, inside and after that interval.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

import vesselscreen as vs
from vesselscreen.lists.imports import import_file, import_folder
from vesselscreen.lists.store import SnapshotStore
from vesselscreen.schema import MATCH, PORT_CALL, WATCHLIST
from vesselscreen.screening.status import designation_status

SAMPLE = Path(__file__).resolve().parents[1] / "tests" / "data" / "lists" / "ofac" / "sdn.csv"
EOF_BYTE = b"\x1a"

# rows in sdn.csv's layout (ent_num, name, type, program, title, call sign, vessel type,
# tonnage, GRT, flag, owner, remarks); the ent_nums are invented for this example
ADDED = [
    b'990001,"PORT OLYA-3","vessel","RUSSIA-EO14024",-0- ,-0- ,"General Cargo",-0- ,-0- ,"Russia",-0- ,'
    b'"Example row written for vesselscreen, not OFAC\'s."\r\n',
    b'990002,"PORT OLYA-4","vessel","RUSSIA-EO14024",-0- ,-0- ,"General Cargo",-0- ,-0- ,"Russia",-0- ,'
    b'"Example row written for vesselscreen, not OFAC\'s."\r\n',
    b'990003,"MUSA JALIL","vessel","RUSSIA-EO14024",-0- ,-0- ,"General Cargo",-0- ,-0- ,"Russia",-0- ,'
    b'"Example row written for vesselscreen, not OFAC\'s."\r\n',
]
REMOVED = b"4238,"  # MAR AZUL


def write_copies(folder: Path) -> tuple[Path, Path]:
    """The three dated copies: two in ``folder/archive`` dated by name, one on its own."""
    lines = SAMPLE.read_bytes().rstrip(EOF_BYTE).splitlines(keepends=True)
    archive = folder / "archive"
    archive.mkdir()
    (archive / "sdn_2024-05-03.csv").write_bytes(SAMPLE.read_bytes())
    (archive / "sdn_2024-08-30.csv").write_bytes(SAMPLE.read_bytes())  # kept again: unchanged
    september = folder / "sdn_september.csv"
    kept = [line for line in lines if not line.startswith(REMOVED)]
    september.write_bytes(b"".join(kept + ADDED) + EOF_BYTE)
    return archive, september


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        archive, september = write_copies(Path(tmp))
        store = SnapshotStore(Path(tmp) / "history.sqlite3")

        print("Importing dated copies of sdn.csv (the newest first, on purpose):")
        results = [
            import_file(
                store, september, source="ofac_sdn", retrieved_at=datetime(2024, 9, 11, 6, tzinfo=UTC)
            ),
            *import_folder(store, archive, source="ofac_sdn"),
        ]
        for result in results:
            print(f"  {result.summary()}")
        observed = store.observations("ofac_sdn")
        print(
            f"ofac_sdn history: {len(observed)} observations of {observed['snapshot_id'].nunique()} contents"
        )

        early = store.watchlist(as_of=date(2024, 9, 1))
        print(f"Listed as of 1 Sep 2024: {len(early)} vessels (no PORT OLYA-3 yet)")

        # screening past AIS: the lists as known at the end of the period, delisted entries kept
        watchlist = store.watchlist(as_of=date(2024, 9, 30), include_delisted=True)
        vessels = watchlist.vessels.set_index(WATCHLIST.ENTRY_ID)
        print("\nDates the history gives (listed between / delisted between):")
        for entry_id in ("ofac_sdn:990001", "ofac_sdn:4238", "ofac_sdn:15036"):
            row = vessels.loc[entry_id]
            print(f"  {entry_id:<16} {row[WATCHLIST.NAME]:<12} {interval(row)}")

        ais = vs.read_ais(vs.demo.ais_path())
        result = vs.screen(ais, watchlist)
        calls = port_calls_of_listed(result.port_calls, result.matches, watchlist.vessels)
        print("\nPort calls of listed ships, status at arrival:")
        for row in calls.itertuples():
            print(
                f"  {row.name:<12} {row.port_id}  {row.arrival:%d %b %Y %H:%M} -> {row.departure:%d %b %Y}  "
                f"{row.status}"
            )


def interval(row: pd.Series) -> str:
    """``listed 2024-08-30..2024-09-11`` style text for one watchlist row."""
    parts = []
    for start, end, what in (
        (WATCHLIST.LISTED_NOT_BEFORE, WATCHLIST.LISTED_ON, "listed"),
        (WATCHLIST.DELISTED_NOT_BEFORE, WATCHLIST.DELISTED_ON, "delisted"),
    ):
        if pd.notna(row[start]):
            parts.append(f"{what} between {row[start]:%Y-%m-%d} and {row[end]:%Y-%m-%d}")
        elif pd.notna(row[end]):
            parts.append(f"{what} on {row[end]:%Y-%m-%d}")
        elif what == "listed":
            parts.append("listed before the first copy (date unknown)")
    return "; ".join(parts)


def port_calls_of_listed(calls: pd.DataFrame, matches: pd.DataFrame, vessels: pd.DataFrame) -> pd.DataFrame:
    """Each port call of a matched ship with the designation status at its arrival."""
    dates = [
        WATCHLIST.LISTED_ON,
        WATCHLIST.DELISTED_ON,
        WATCHLIST.LISTED_NOT_BEFORE,
        WATCHLIST.DELISTED_NOT_BEFORE,
    ]
    listed = (
        matches[[MATCH.MMSI, MATCH.ENTRY_ID]]
        .drop_duplicates()
        .merge(vessels[[WATCHLIST.ENTRY_ID, *dates]], on=WATCHLIST.ENTRY_ID)
    )
    rows = calls.merge(listed, on=PORT_CALL.MMSI).sort_values([PORT_CALL.MMSI, PORT_CALL.ARRIVAL])
    rows["status"] = designation_status(
        rows[PORT_CALL.ARRIVAL],
        rows[WATCHLIST.LISTED_ON],
        rows[WATCHLIST.DELISTED_ON],
        listed_not_before=rows[WATCHLIST.LISTED_NOT_BEFORE],
        delisted_not_before=rows[WATCHLIST.DELISTED_NOT_BEFORE],
    )
    return rows.reset_index(drop=True)


if __name__ == "__main__":
    main()

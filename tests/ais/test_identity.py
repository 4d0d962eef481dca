"""identity_timeline on a data set built for it: a re-flagged ship, a name change, an MMSI
that alternates two IMO numbers, a call-sign change; and on the real MarineCadastre sample."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from vesselscreen.ais import identity_timeline, read_ais
from vesselscreen.ais.identity import CHANGE_DTYPES, INTERVAL_DTYPES
from vesselscreen.schema import POSITION

from .conftest import MARINECADASTRE

DAY = pd.Timedelta(days=1)
T0 = pd.Timestamp("2024-01-01", tz="UTC")


def reports(
    mmsi: int, days: list[int], imo: int | None, name: str | None, call_sign: str | None
) -> pd.DataFrame:
    """Position rows of one MMSI broadcasting one identity (the test factory)."""
    return pd.DataFrame(
        {
            POSITION.MMSI: pd.array([mmsi] * len(days), dtype="Int64"),
            POSITION.TIMESTAMP: [T0 + day * DAY for day in days],
            POSITION.IMO: pd.array([imo] * len(days), dtype="Int64"),
            POSITION.NAME: pd.array([name] * len(days), dtype="string"),
            POSITION.CALL_SIGN: pd.array([call_sign] * len(days), dtype="string"),
            POSITION.SHIP_TYPE: pd.array([80] * len(days), dtype="Int16"),
        }
    )


def story() -> pd.DataFrame:
    return pd.concat(
        [
            # IMO 9187629: Russian MMSI as OCEAN VOYAGER, then re-flagged to Iran as SEA STAR
            reports(273345000, [0, 1, 2], 9187629, "OCEAN VOYAGER", "UBAB2"),
            reports(422012300, [5, 6], 9187629, "SEA STAR", "EPAB7"),
            # a Panamanian ship renamed, same MMSI and IMO; its call sign is missing for a while
            reports(355123000, [0, 1], 9307839, "MARAL", "3EAB4"),
            reports(355123000, [2], 9307839, "MARAL", None),
            reports(355123000, [3, 4], 9307839, "NEW MARAL", "3EAB4"),
            # one MMSI alternating two IMO numbers (shared or spoofed)
            reports(636021061, [0], 9118824, "JIN HAI", "5LCB4"),
            reports(636021061, [1], 9383663, "RUTH", "5LCB4"),
            reports(636021061, [2], 9118824, "JIN HAI", "5LCB4"),
            # a call-sign change only, shuffled in among the others
            reports(219000873, [0, 3], 9235517, "FENJA", "OXRA2"),
            reports(219000873, [4], 9235517, "FENJA", "OXRA3"),
        ],
        ignore_index=True,
    ).sample(frac=1.0, random_state=7)


def test_intervals() -> None:
    timeline = identity_timeline(story())
    intervals = timeline.intervals
    assert dict(intervals.dtypes.astype(str)) == {
        k: str(pd.api.types.pandas_dtype(v)) for k, v in INTERVAL_DTYPES.items()
    }
    reflagged = timeline.of_imo(9187629)
    assert reflagged[["mmsi", "name", "flag", "n_positions"]].to_dict("records") == [
        {"mmsi": 273345000, "name": "OCEAN VOYAGER", "flag": "RU", "n_positions": 3},
        {"mmsi": 422012300, "name": "SEA STAR", "flag": "IR", "n_positions": 2},
    ]
    assert reflagged["first_seen"].tolist() == [T0, T0 + 5 * DAY]
    assert reflagged["last_seen"].tolist() == [T0 + 2 * DAY, T0 + 6 * DAY]
    renamed = timeline.of_mmsi(355123000)
    # the missing call sign on day 2 continues the last one broadcast: two intervals, not three
    assert renamed[["name", "call_sign", "n_positions"]].to_dict("records") == [
        {"name": "MARAL", "call_sign": "3EAB4", "n_positions": 3},
        {"name": "NEW MARAL", "call_sign": "3EAB4", "n_positions": 2},
    ]
    assert timeline.of_mmsi(636021061)["imo"].tolist() == [9118824, 9383663, 9118824]
    assert intervals["n_positions"].sum() == len(story())


def test_changes() -> None:
    changes = identity_timeline(story()).changes
    assert dict(changes.dtypes.astype(str)) == {
        k: str(pd.api.types.pandas_dtype(v)) for k, v in CHANGE_DTYPES.items()
    }
    kinds = changes.groupby("kind").size().to_dict()
    assert kinds == {"imo_change": 2, "name_change": 3, "call_sign_change": 1, "reflagged": 1}
    reflag = changes[changes["kind"] == "reflagged"].iloc[0]
    assert (reflag["mmsi"], reflag["imo"], reflag["before"], reflag["after"]) == (
        422012300,
        9187629,
        "273345000",
        "422012300",
    )
    assert reflag["time"] == T0 + 5 * DAY
    assert reflag["detail"] == (
        "IMO 9187629 moved from MMSI 273345000 (RU, OCEAN VOYAGER) to MMSI 422012300 (IR, SEA STAR)"
    )
    renamed = changes[(changes["kind"] == "name_change") & (changes["mmsi"] == 355123000)].iloc[0]
    assert (renamed["before"], renamed["after"], renamed["time"]) == ("MARAL", "NEW MARAL", T0 + 3 * DAY)
    alternating = changes[changes["kind"] == "imo_change"]
    assert alternating[["before", "after"]].values.tolist() == [
        ["9118824", "9383663"],
        ["9383663", "9118824"],
    ]
    assert changes["time"].is_monotonic_increasing
    # an MMSI change within one flag is a new MMSI, not a re-flagging
    same_flag = pd.concat(
        [reports(273345000, [0], 9187629, "A", None), reports(273999000, [1], 9187629, "A", None)]
    )
    assert identity_timeline(same_flag).changes["kind"].tolist() == ["new_mmsi"]
    nameless = pd.concat(
        [reports(273345000, [0], 9187629, "A", None), reports(273999000, [1], 9187629, None, None)]
    )
    assert identity_timeline(nameless).changes["detail"].tolist() == [
        "IMO 9187629 moved from MMSI 273345000 (RU, A) to MMSI 273999000 (RU, no name)"
    ]


def test_order_invariance_and_empty() -> None:
    frame = story()
    a = identity_timeline(frame)
    b = identity_timeline(frame.sample(frac=1.0, random_state=1))
    pd.testing.assert_frame_equal(a.intervals, b.intervals)
    pd.testing.assert_frame_equal(a.changes, b.changes)
    empty = identity_timeline(frame.iloc[:0])
    assert empty.intervals.empty
    assert empty.changes.empty


def test_real_sample() -> None:
    ais = read_ais(MARINECADASTRE)
    timeline = identity_timeline(ais)
    assert timeline.intervals["n_positions"].sum() == len(ais)
    assert timeline.intervals["mmsi"].nunique() == ais["mmsi"].nunique()
    ship = timeline.of_mmsi(636021061)
    assert ship[["imo", "name", "call_sign", "flag"]].iloc[0].tolist() == [
        9307839,
        "MSC NAISHA III",
        "5LCB4",
        "LR",
    ]


def test_rows_without_an_mmsi_or_a_time_give_no_interval() -> None:
    frame = story().assign(**{POSITION.MMSI: pd.array([None] * len(story()), dtype="Int64")})
    assert identity_timeline(frame).intervals.empty


def _walked(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    """The intervals by walking each MMSI's rows one by one (the reference the vectorised
    code must equal): a missing field continues the last one the MMSI broadcast."""
    tracked = [POSITION.IMO, POSITION.NAME, POSITION.CALL_SIGN, POSITION.SHIP_TYPE]
    timed = frame.dropna(subset=[POSITION.MMSI, POSITION.TIMESTAMP])
    ordered = timed.sort_values(
        [POSITION.MMSI, POSITION.TIMESTAMP, *tracked], na_position="last", kind="stable"
    )
    out: list[tuple[object, ...]] = []
    for _, rows in ordered.groupby(POSITION.MMSI, sort=True):
        carried: dict[str, object] = dict.fromkeys(tracked)
        current: tuple[object, ...] | None = None
        for row in rows.itertuples(index=False):
            for column in tracked:
                value = getattr(row, column)
                if not pd.isna(value):
                    carried[column] = value
            identity = tuple(carried[c] for c in tracked)
            if identity != current:
                out.append((int(row.mmsi), *identity, row.timestamp, 1))
                current = identity
            else:
                out[-1] = (*out[-1][:-1], out[-1][-1] + 1)  # type: ignore[operator]  # a count
    return out


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([None, 273345000, 422012300]),
            st.integers(0, 5),
            st.sampled_from([None, 9187629, 9307839]),
            st.sampled_from([None, "MARAL", "SEA STAR"]),
            st.sampled_from([None, "UBAB2"]),
            st.sampled_from([None, 70, 80]),
        ),
        max_size=25,
    ),
    st.sets(st.integers(2, 5)),
)
def test_intervals_equal_a_row_by_row_walk(rows: list[tuple[object, ...]], on_every_row: set[int]) -> None:
    # fields some feeds repeat on every row (MarineCadastre): never missing there
    filled = ("-", 0, 9187629, "MARAL", "UBAB2", 70)
    rows = [tuple(filled[i] if i in on_every_row and v is None else v for i, v in enumerate(r)) for r in rows]
    frame = pd.DataFrame(
        {
            POSITION.MMSI: pd.array([r[0] for r in rows], dtype="Int64"),
            POSITION.TIMESTAMP: pd.to_datetime([T0 + r[1] * DAY for r in rows], utc=True),
            POSITION.IMO: pd.array([r[2] for r in rows], dtype="Int64"),
            POSITION.NAME: pd.array([r[3] for r in rows], dtype="string"),
            POSITION.CALL_SIGN: pd.array([r[4] for r in rows], dtype="string"),
            POSITION.SHIP_TYPE: pd.array([r[5] for r in rows], dtype="Int16"),
        }
    )
    intervals = identity_timeline(frame).intervals
    got = [
        (int(r.mmsi), *(None if pd.isna(v) else v for v in (r.imo, r.name, r.call_sign, r.ship_type)),
         r.first_seen, int(r.n_positions))
        for r in intervals.itertuples(index=False)
    ]  # fmt: skip
    assert got == _walked(frame)

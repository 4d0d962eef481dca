"""Screening an archive or a Dask frame gives exactly what `vs.screen` gives on the same positions.

Compared on the demo, the scenario and a generated multi-day set (the benchmarks'
generator, continuous tracks): ``to_frame()``, every event frame and the quoted evidence;
locally (synchronous and threads schedulers) and on a ``LocalCluster`` of two worker
processes. Skipped when Dask is not installed.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

import vesselscreen as vs
from vesselscreen.events._encounters import grid_points, space_cells
from vesselscreen.screening import distributed

dd = pytest.importorskip("dask.dataframe")
distributed_package = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "tests" / "data" / "scenario"
FRAMES = ("port_calls", "voyages", "gaps", "encounters", "loitering", "spoofing", "identity_changes",
          "identities", "matches", "owner_matches")  # fmt: skip
CLUSTER_SECONDS = 180.0
"""The LocalCluster test (start, three screenings, stop) must finish within this."""


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_realistic_day", ROOT / "benchmarks" / "_realistic_day.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_same(expected: vs.ScreeningResult, got: vs.ScreeningResult) -> None:
    pd.testing.assert_frame_equal(got.to_frame(), expected.to_frame())
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(got, name), getattr(expected, name), obj=name)
    assert [f.evidence for f in got.findings] == [f.evidence for f in expected.findings]
    assert got.metadata.cleaning_report == expected.metadata.cleaning_report
    assert got.metadata.positions == expected.metadata.positions
    assert got.metadata.vessels == expected.metadata.vessels


Case = tuple[pd.DataFrame, vs.Watchlist, dict[str, pd.DataFrame]]


@pytest.fixture(scope="module")
def demo() -> Case:
    return vs.read_ais(vs.demo.ais_path()), vs.load_watchlist(vs.demo.watchlist_path()), {}


@pytest.fixture(scope="module")
def scenario() -> Case:
    registry = pd.read_csv(SCENARIO / "registry.csv")
    watchlist = vs.load_watchlist(SCENARIO / "watchlist.csv")
    return vs.read_ais(SCENARIO / "ais.csv"), watchlist, {"registry": registry}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Case:
    """Three days of generated traffic around US ports, some ships broadcasting listed IMOs."""
    folder = tmp_path_factory.mktemp("gen")
    path = _generator().write_day(folder / "AIS_2023_01_11.csv", 60_000, seed=5, days=3)
    return vs.read_ais(path), vs.load_watchlist(ROOT / "tests" / "data" / "lists" / "ofac" / "sdn.csv"), {}


@pytest.fixture(scope="module")
def real_day() -> Case:
    """The real MarineCadastre excerpt: artefacts, a listed tanker, a Class B namesake."""
    data = ROOT / "tests" / "data"
    ais = vs.read_ais(data / "ais" / "csv" / "marinecadastre_2022-01-03_head_vessels.csv")
    return ais, vs.load_watchlist(data / "lists" / "ofac" / "sdn.csv"), {}


def _archive(case: Case, path: Path, buckets: int = 8) -> vs.Archive:
    archive = vs.Archive(path, buckets=buckets)
    archive.write(case[0])
    return archive


@pytest.mark.parametrize("name", ["demo", "scenario", "generated", "real_day"])
def test_archive_equals_pandas(name: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    case: Case = request.getfixturevalue(name)
    ais, watchlist, options = case
    expected = vs.screen(ais, watchlist, **options)
    archive = _archive(case, tmp_path / "a")
    pieces = max(300, len(ais) // 6)
    got = vs.screen_archive(archive, watchlist, scheduler="synchronous", rows_per_piece=pieces, **options)
    assert len(archive.pieces(rows_per_piece=pieces)) > 1
    assert_same(expected, got)
    assert got.metadata.ingest_reports == tuple(archive.reports())


def test_dask_frame_equals_pandas(scenario: Case) -> None:
    ais, watchlist, options = scenario
    expected = vs.screen(ais, watchlist, **options)
    frame = dd.from_pandas(ais.sample(frac=1.0, random_state=3), npartitions=4)  # rows in any order
    assert_same(expected, vs.screen_archive(frame, watchlist, scheduler="threads", **options))


def test_buckets_split_into_shares(scenario: Case, tmp_path: Path) -> None:
    ais, watchlist, options = scenario
    archive = _archive(scenario, tmp_path / "a", buckets=2)
    got = vs.screen_archive(archive, watchlist, scheduler="threads", rows_per_piece=500, **options)
    assert max(piece.part[1] for piece in archive.pieces(rows_per_piece=500)) > 1
    assert_same(vs.screen(ais, watchlist, **options), got)


def test_a_time_range_of_an_archive(demo: Case, tmp_path: Path) -> None:
    ais, watchlist, _ = demo
    archive = _archive(demo, tmp_path / "a", buckets=4)
    start, end = "2024-08-28", "2024-09-06"
    expected = vs.screen(archive.read(start, end), watchlist)
    told: list[str] = []
    got = vs.screen_archive(
        str(archive.path), watchlist, start=start, end=end, scheduler="synchronous", progress=told.append
    )
    assert_same(expected, got)
    assert 0 < len(got.findings) < len(vs.screen(ais, watchlist).findings)
    assert told[0].endswith("partitions of whole tracks: events by vessel, meetings by cell (1 tasks)")
    assert told[-1] == f"{len(got.findings)} findings"
    assert any(m.startswith("reading back the positions of ") for m in told)


def _meetings(pairs: int, seed: int = 11) -> pd.DataFrame:
    """Pairs of ships drifting 300 m apart for 3 h in the open Pacific, far from any port."""
    rng = np.random.default_rng(seed)
    t0 = pd.Timestamp("2024-05-01 22:00", tz="UTC")  # meetings run across midnight, too
    times = t0 + pd.to_timedelta(np.arange(0, 190, 10), unit="min")
    rows = []
    for k in range(pairs):
        lat, lon = rng.uniform(5.0, 15.0), rng.uniform(-150.0, -135.0)
        for side in (0, 1):
            rows.append(pd.DataFrame({
                "mmsi": 538_000_000 + 2 * k + side, "timestamp": times,
                "lat": lat + side * 0.0027 + np.arange(len(times)) * 1e-4, "lon": lon, "sog": 0.5,
            }))  # fmt: skip
    return vs.schema.conform(pd.concat(rows, ignore_index=True), vs.schema.POSITION_DTYPES)


def test_meetings_across_cell_borders_are_found_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ais = _meetings(40)
    watchlist = vs.load_watchlist(vs.demo.watchlist_path())
    expected = vs.screen(ais, watchlist)
    assert len(expected.encounters) == 40
    # cells of three encounter distances (1.5 km): most meetings straddle a border
    monkeypatch.setattr(distributed, "COARSE_CELLS", 3)
    points = grid_points(vs.events.Track.build(ais), vs.EncounterConfig())
    coarse = space_cells(points["lat"].to_numpy(), points["lon"].to_numpy(), 500.0) // 3
    first, second = coarse[points["mmsi"].to_numpy() % 2 == 0], coarse[points["mmsi"].to_numpy() % 2 == 1]
    assert (first != second).any(axis=1).sum() > 100  # points of a pair in different cells
    archive = vs.Archive(tmp_path / "a", buckets=8)
    archive.write(ais)
    got = vs.screen_archive(archive, watchlist, scheduler="threads", rows_per_piece=500)
    pd.testing.assert_frame_equal(got.encounters, expected.encounters)


def test_wrong_sources_are_refused(demo: Case) -> None:
    ais, watchlist, _ = demo
    with pytest.raises(vs.ConfigError, match="screen_archive"):
        vs.screen(dd.from_pandas(ais, npartitions=2), watchlist)
    with pytest.raises(vs.ConfigError, match="must be an Archive"):
        vs.screen_archive(ais, watchlist)  # type: ignore[arg-type]  # the wrong kind on purpose
    frame = dd.from_pandas(ais, npartitions=2)
    with pytest.raises(vs.ConfigError, match="not both"):
        vs.screen_archive(frame, watchlist, client=object(), scheduler="threads")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def cluster_client() -> Iterator[object]:
    """Two worker processes, one thread each; closed whatever happens."""
    cluster = distributed_package.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, memory_limit="2GiB"
    )
    try:
        with distributed_package.Client(cluster) as client:
            yield client
    finally:
        cluster.close()


def test_local_cluster_equals_pandas(
    cluster_client: object, demo: Case, scenario: Case, generated: Case, tmp_path: Path
) -> None:
    started = time.monotonic()
    assert len(cluster_client.scheduler_info()["workers"]) == 2  # type: ignore[attr-defined]  # a Client
    for number, case in enumerate((demo, scenario, generated)):
        ais, watchlist, options = case
        expected = vs.screen(ais, watchlist, **options)
        archive = _archive(case, tmp_path / str(number))
        got = vs.screen_archive(
            archive, watchlist, client=cluster_client, rows_per_piece=max(300, len(ais) // 4), **options
        )
        assert_same(expected, got)
    frame = dd.from_pandas(scenario[0], npartitions=3)
    assert_same(
        vs.screen(scenario[0], scenario[1], **scenario[2]),
        vs.screen_archive(frame, scenario[1], client=cluster_client, **scenario[2]),
    )
    assert time.monotonic() - started < CLUSTER_SECONDS

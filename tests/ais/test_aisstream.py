"""aisstream.io messages: the file reader, identity carried forward, and the live client
against a real local websocket server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from websockets.sync.server import ServerConnection, serve

from vesselscreen.ais import read_ais, read_aisstream, stream_aisstream
from vesselscreen.ais.aisstream import parse_time_utc
from vesselscreen.errors import InputError
from vesselscreen.ingest import ingest_report
from vesselscreen.schema import POSITION

from .conftest import DATA

MESSAGES = DATA / "aisstream" / "messages.jsonl"


def test_file_of_messages() -> None:
    frame = read_ais(MESSAGES)
    report = ingest_report(frame)
    assert report is not None
    assert report.format == "aisstream_json"
    assert (report.records, report.accepted, report.rejected) == (10, 7, 3)
    assert report.reasons == {"invalid latitude": 1, "invalid message": 1, "malformed message": 1}
    assert {s.reason.split(":")[0]: s.line for s in report.samples} == {
        "invalid latitude": 8,
        "invalid message": 9,
        "malformed message": 10,
    }
    assert report.notes["message type BaseStationReport"] == 1
    assert len(frame) == 4
    augustson = frame[frame[POSITION.MMSI] == 259000420].reset_index(drop=True)
    # identity from ShipStaticData (18:22:40) reaches the later position only
    assert augustson[POSITION.IMO].isna().iloc[0]
    assert augustson.loc[1, POSITION.IMO] == 9187629
    assert (augustson.loc[1, POSITION.CALL_SIGN], augustson.loc[1, POSITION.DESTINATION]) == ("LLAU", "BODO")
    assert (augustson.loc[1, POSITION.SHIP_TYPE], augustson.loc[1, POSITION.DRAUGHT]) == (70, 4.2)
    assert augustson[POSITION.NAME].tolist() == ["AUGUSTSON", "AUGUSTSON"]
    assert str(augustson.loc[0, POSITION.TIMESTAMP]) == "2022-12-29 18:22:32.318353+00:00"
    class_b = frame[frame[POSITION.MMSI] == 257012340].reset_index(drop=True)
    assert class_b.loc[0, [POSITION.SOG, POSITION.COG, POSITION.HEADING]].isna().all()  # 102.3, 360, 511
    assert class_b.loc[1, POSITION.NAME] == "FRIDA"


def test_json_array_equals_lines(tmp_path: Path) -> None:
    lines = MESSAGES.read_text().splitlines()[:6]
    path = tmp_path / "messages.json"
    path.write_text("[" + ",\n".join(lines) + "]")
    as_array = read_aisstream(path)
    as_lines = read_aisstream(MESSAGES)
    assert len(as_array) == 4
    pd.testing.assert_frame_equal(as_array, as_lines)


def test_time_utc_layouts() -> None:
    parsed = parse_time_utc(
        pd.Series(["2022-12-29 18:22:32 +0000 UTC", "2022-12-29 18:22:32.5 +0100 CET", ""])
    )
    assert parsed.tolist()[:2] == [
        pd.Timestamp("2022-12-29 18:22:32", tz="UTC"),
        pd.Timestamp("2022-12-29 17:22:32.5", tz="UTC"),
    ]
    assert pd.isna(parsed.iloc[2])


@pytest.fixture
def aisstream_server() -> Iterator[tuple[str, list[dict[str, object]]]]:
    """A local websocket server that records the subscription and replays the fixture."""
    subscriptions: list[dict[str, object]] = []
    replies = MESSAGES.read_text().splitlines()[:6]

    def handler(connection: ServerConnection) -> None:
        subscription = json.loads(connection.recv())
        subscriptions.append(subscription)
        if subscription["APIKey"] == "bad":
            connection.send('{"error": "Api Key Is Not Valid"}')
            return
        for reply in replies:
            connection.send(reply)

    with serve(handler, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        host, port = server.socket.getsockname()[:2]
        yield f"ws://{host}:{port}", subscriptions
        server.shutdown()


def test_live_client_batches(aisstream_server: tuple[str, list[dict[str, object]]]) -> None:
    url, subscriptions = aisstream_server
    frames = list(
        stream_aisstream(
            "key", bounding_boxes=[((54.0, 8.0), (58.0, 13.0))], mmsi=[259000420], batch_size=3, url=url
        )
    )
    assert subscriptions == [
        {
            "APIKey": "key",
            "BoundingBoxes": [[[54.0, 8.0], [58.0, 13.0]]],
            "FiltersShipMMSI": ["259000420"],
            "FilterMessageTypes": [
                "ExtendedClassBPositionReport",
                "PositionReport",
                "StandardClassBPositionReport",
                "ShipStaticData",
                "StaticDataReport",
            ],
        }
    ]
    assert [len(frame) for frame in frames] == [2, 2]
    assert sum(report.records for frame in frames if (report := ingest_report(frame))) == 6


def test_live_client_max_messages(aisstream_server: tuple[str, list[dict[str, object]]]) -> None:
    url, _ = aisstream_server
    frames = list(stream_aisstream("key", batch_size=100, max_messages=2, url=url))
    assert len(frames) == 1
    assert len(frames[0]) == 1  # a position and a static message


def test_live_client_error_message(aisstream_server: tuple[str, list[dict[str, object]]]) -> None:
    url, _ = aisstream_server
    with pytest.raises(InputError, match="Api Key Is Not Valid"):
        list(stream_aisstream("bad", url=url))

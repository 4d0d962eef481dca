"""Ingest accounting: accepted + rejected == records, reasons grouped, samples bounded."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from vesselscreen.ingest import INGEST_REPORT_ATTR, IngestReport, RejectionLog, ingest_report

outcomes = st.lists(
    st.sampled_from(["ok", "bad checksum: *7F", "lat out of range: 91", "warn"]), max_size=300
)


@given(outcomes)
def test_every_record_is_counted_once(events: list[str]) -> None:
    log = RejectionLog("x.nmea")
    for i, event in enumerate(events):
        if event == "ok":
            log.accept()
        elif event == "warn":
            log.accept()
            log.warn("invalid IMO: 1234567", line=i + 1)
        else:
            log.reject(event, line=i + 1, raw="!AIVDM...")
    report = log.report(format="nmea")
    assert report.records == len(events)
    assert report.accepted + report.rejected == report.records
    assert report.rejected == sum(1 for e in events if e not in ("ok", "warn"))
    assert report.warnings.get("invalid IMO", 0) == events.count("warn")
    assert len(report.samples) <= 100


def test_reasons_are_grouped_by_class_and_samples_keep_detail() -> None:
    log = RejectionLog("a.csv")
    log.reject("latitude out of range: 91.0", line=4, raw="1,2,3")
    log.reject("latitude out of range: -95.2", line=9)
    report = log.report(format="marinecadastre_csv")
    assert report.reasons == {"latitude out of range": 2}
    assert [s.line for s in report.samples] == [4, 9]
    assert report.samples[0].reason == "latitude out of range: 91.0"
    assert report.summary() == (
        "a.csv (marinecadastre_csv): 2 records, 0 accepted, 2 rejected (latitude out of range: 2)"
    )


def test_report_round_trips_through_json_and_frame_attrs() -> None:
    log = RejectionLog("a.csv")
    log.accept(3)
    report = log.report(format="x")
    assert IngestReport.model_validate_json(report.model_dump_json()) == report
    frame = pd.DataFrame({"a": [1]})
    frame.attrs[INGEST_REPORT_ATTR] = report
    assert ingest_report(frame) == report
    assert ingest_report(pd.DataFrame()) is None

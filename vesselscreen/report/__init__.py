"""Exports of screening results: text tables now; JSON lives on the result itself."""

from vesselscreen.report.table import findings_table

__all__ = ["findings_table"]

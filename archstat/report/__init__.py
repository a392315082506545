"""`archstat report`: a folder people read (README.md with tables and charts) and the same tables as CSV and JSON.

Torch-free: it lays out a Comparison that comes measured or not; matplotlib is imported only as a chart is drawn.
"""
from __future__ import annotations

from archstat.report.folder import SCHEMA, File, Report, ReportError, plan_report, write_report

__all__ = ["SCHEMA", "File", "Report", "ReportError", "plan_report", "write_report"]

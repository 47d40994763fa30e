"""Renderers: one module per output (HTML for WeasyPrint, PDF, Word). They take the model and
return bytes or text; writing files is opgen.write's job."""

from __future__ import annotations

import datetime as dt
import os


def document_timestamp(plan_date: str | None = None) -> dt.datetime:
    """The timestamp stamped into PDFs and DOCX: SOURCE_DATE_EPOCH if set, else the plan's own date,
    else a fixed epoch, so the same input gives the same bytes whatever the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    if plan_date:
        try:
            return dt.datetime.fromisoformat(str(plan_date)).replace(tzinfo=dt.timezone.utc)
        except ValueError:
            pass
    return dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)

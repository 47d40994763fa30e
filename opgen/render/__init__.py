"""Renderers: one module per output (HTML for WeasyPrint, PDF, Word). They take the model and
return bytes or text; writing files is opgen.write's job."""

from __future__ import annotations

import datetime as dt
import os

from opgen.diagnostics import UserError

MAX_EPOCH = 253402300799  # 9999-12-31 23:59:59 UTC, the last second a PDF or DOCX date can hold


def source_date_epoch() -> dt.datetime | None:
    """SOURCE_DATE_EPOCH as a time, None when unset; a value no document can carry is a UserError
    (said once, before anything is built), never a crash half way through a build."""
    text = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) > MAX_EPOCH:
        raise UserError(f"SOURCE_DATE_EPOCH={text[:40]!r} is not a time opgen can stamp into a document: set it "
                        f"to whole seconds since 1970 up to {MAX_EPOCH} (e.g. $(git log -1 --format=%ct)), or unset it")
    return dt.datetime.fromtimestamp(int(text), tz=dt.timezone.utc)


def document_timestamp(plan_date: str | None = None) -> dt.datetime:
    """The timestamp stamped into PDFs and DOCX: SOURCE_DATE_EPOCH if set, else the plan's own date,
    else a fixed epoch, so the same input gives the same bytes whatever the clock."""
    epoch = source_date_epoch()
    if epoch is not None:
        return epoch
    if plan_date:
        try:
            return dt.datetime.fromisoformat(str(plan_date)).replace(tzinfo=dt.timezone.utc)
        except ValueError:
            pass
    return dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)

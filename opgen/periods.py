"""NHS financial years and quarters, and the date forms a plan may use.

A financial year "2014/15" runs April 2014 to March 2015. Quarters: Q1 Apr-Jun, Q2 Jul-Sep,
Q3 Oct-Dec, Q4 Jan-Mar. A plan date is an ISO date, a month, a quarter or a financial year; for
ordering and slippage each is reduced to the last day it covers (a thing due "2015/16 Q3" is due by
31 December 2015).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache, total_ordering

QUARTER_MONTHS = {1: "Apr-Jun", 2: "Jul-Sep", 3: "Oct-Dec", 4: "Jan-Mar"}

_FY = re.compile(r"^(\d{4})/(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})/(\d{2}) Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_CALENDAR_YEAR = re.compile(r"^(\d{4})$")
_MONTH_RANGE = re.compile(r"^(\d{4})-(\d{2})/(\d{4})-(\d{2})$")

# Years a plan may name: wide enough for any real plan, narrow enough that every period has real dates.
MIN_YEAR, MAX_YEAR = 1900, 2199


class PeriodError(ValueError):
    """A financial year, quarter or date that is well-formed text but not a real period."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.hint = hint


def _check_year(text: str, year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(f"{text!r} is out of range: years from {MIN_YEAR} to {MAX_YEAR} only",
                          "check the year")


def fy_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


@total_ordering
@dataclass(frozen=True, slots=True)
class FinancialYear:
    start_year: int

    @classmethod
    @lru_cache(maxsize=4096)
    def parse(cls, text: str) -> "FinancialYear":
        m = _FY.match(text)
        if not m:
            raise PeriodError(f"{text!r} is not a financial year", suggest_financial_year(text))
        start, short = int(m.group(1)), int(m.group(2))
        _check_year(text, start)
        if (start + 1) % 100 != short:
            raise PeriodError(
                f"{text!r} is not a financial year: a financial year runs April to March, so the "
                f"second part must be the next year",
                f'write "{fy_label(start)}"',
            )
        return cls(start)

    @property
    def label(self) -> str:
        return fy_label(self.start_year)

    def __lt__(self, other: "FinancialYear") -> bool:
        return self.start_year < other.start_year

    def next(self) -> "FinancialYear":
        return FinancialYear(self.start_year + 1)

    def quarters(self) -> list["Quarter"]:
        return [Quarter(self, q) for q in range(1, 5)]

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.start_year, 4, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.start_year + 1, 3, 31)

    def __str__(self) -> str:
        return self.label


@total_ordering
@dataclass(frozen=True, slots=True)
class Quarter:
    year: FinancialYear
    number: int

    @classmethod
    @lru_cache(maxsize=4096)
    def parse(cls, text: str) -> "Quarter":
        m = _QUARTER.match(text)
        if not m:
            raise PeriodError(f"{text!r} is not a quarter", 'write a quarter as "2014/15 Q2"')
        return cls(FinancialYear.parse(f"{m.group(1)}/{m.group(2)}"), int(m.group(3)))

    @property
    def label(self) -> str:
        return f"{self.year.label} Q{self.number}"

    @property
    def key(self) -> str:
        return f"q{self.number}"

    @property
    def index(self) -> int:
        return self.year.start_year * 4 + self.number - 1

    def __lt__(self, other: "Quarter") -> bool:
        return self.index < other.index

    @property
    def first_day(self) -> dt.date:
        month = 4 + 3 * (self.number - 1)
        year = self.year.start_year + (1 if month > 12 else 0)
        return dt.date(year, (month - 1) % 12 + 1, 1)

    @property
    def last_day(self) -> dt.date:
        first = self.first_day
        month = first.month + 2
        return dt.date(first.year, month, calendar.monthrange(first.year, month)[1])

    def __str__(self) -> str:
        return self.label


def quarter_of(day: dt.date) -> Quarter:
    start_year = day.year if day.month >= 4 else day.year - 1
    number = (day.month - 4) % 12 // 3 + 1
    return Quarter(FinancialYear(start_year), number)


@dataclass(frozen=True, slots=True)
class PlanDate:
    """A date in any of the plan's forms; `end` is the last day it covers, `precision` its kind."""

    text: str
    precision: str  # day | month | quarter | year
    start: dt.date
    end: dt.date

    @classmethod
    @lru_cache(maxsize=4096)
    def parse(cls, text: str) -> "PlanDate":
        if m := _DATE.match(text) or _MONTH.match(text):
            _check_year(text, int(m.group(1)))
        if m := _DATE.match(text):
            try:
                day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                raise PeriodError(f"{text!r} is not a real date", "check the day and month (YYYY-MM-DD)") from None
            return cls(text, "day", day, day)
        if m := _MONTH.match(text):
            year, month = int(m.group(1)), int(m.group(2))
            if not 1 <= month <= 12:
                raise PeriodError(f"{text!r} is not a real month", "write a month as YYYY-MM, e.g. 2015-03")
            return cls(text, "month", dt.date(year, month, 1),
                       dt.date(year, month, calendar.monthrange(year, month)[1]))
        if _QUARTER.match(text):
            q = Quarter.parse(text)
            return cls(text, "quarter", q.first_day, q.last_day)
        if _FY.match(text):
            fy = FinancialYear.parse(text)
            return cls(text, "year", fy.first_day, fy.last_day)
        if m := _CALENDAR_YEAR.match(text):  # a calendar year, January to December, printed as written
            year = int(m.group(1))
            _check_year(text, year)
            return cls(text, "year", dt.date(year, 1, 1), dt.date(year, 12, 31))
        raise PeriodError(f"{text!r} is not a date",
                          'write 2015-03-31, 2015-03, "2015/16 Q3", "2015/16" or a calendar year "2015"')

    @property
    def quarter(self) -> Quarter:
        return quarter_of(self.end)

    def display(self) -> str:
        if self.precision == "day":
            return f"{self.start.day} {self.start.strftime('%b %Y')}"
        if self.precision == "month":
            return self.start.strftime("%b %Y")
        return self.text


def suggest_financial_year(text: str) -> str:
    """A fix for a mistyped financial year: '2014-15', '2014/2015', '14/15', '2014' -> '2014/15'."""
    digits = re.findall(r"\d+", str(text))
    start = None
    if digits:
        first = digits[0]
        if len(first) == 4:
            start = int(first)
        elif len(first) == 2:
            start = 2000 + int(first)
    if start is None:
        return 'write a financial year as "2014/15" (April 2014 to March 2015), in quotes'
    return f'write "{fy_label(start)}" (financial years are written YYYY/YY, in quotes)'


def suggest_quarter(text: str) -> str:
    m = re.search(r"(\d{4})\D{0,2}(\d{2,4})?\s*[Qq]?\s*(\d)?", str(text))
    if m and m.group(3) and m.group(3) in "1234":
        return f'write "{fy_label(int(m.group(1)))} Q{m.group(3)}"'
    return 'write a quarter as "2014/15 Q2" (Q1 Apr-Jun, Q2 Jul-Sep, Q3 Oct-Dec, Q4 Jan-Mar)'


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _month(text: str, year: str, month: str) -> tuple[int, int]:
    y, m = int(year), int(month)
    _check_year(text, y)
    if not 1 <= m <= 12:
        raise PeriodError(f"{text!r} has no month {month}", "months run 01 to 12, e.g. 2013-12")
    return y, m


@total_ordering
@dataclass(frozen=True, slots=True)
class Period:
    """The period a figure is for, in any form a real plan uses: a financial year "2014/15", a
    calendar year "2012", a month "2013-12", a quarter "2014/15 Q2", or a range of months
    "2012-07/2013-06" (a rolling 12 months). `text` is the key as written; `words` is how a reader
    sees it ("Dec 2013", "12 months to Jun 2013"), never raw ISO. Periods sort by when they start,
    then by when they end."""

    text: str
    kind: str  # financial_year | calendar_year | month | quarter | range
    first_day: dt.date
    last_day: dt.date

    @classmethod
    @lru_cache(maxsize=4096)
    def parse(cls, text: str) -> "Period":
        text = str(text)
        if _FY.match(text):
            fy = FinancialYear.parse(text)
            return cls(text, "financial_year", fy.first_day, fy.last_day)
        if _QUARTER.match(text):
            q = Quarter.parse(text)
            return cls(text, "quarter", q.first_day, q.last_day)
        if m := _CALENDAR_YEAR.match(text):
            year = int(m.group(1))
            _check_year(text, year)
            return cls(text, "calendar_year", dt.date(year, 1, 1), dt.date(year, 12, 31))
        if m := _MONTH.match(text):
            y, mo = _month(text, m.group(1), m.group(2))
            return cls(text, "month", dt.date(y, mo, 1), _month_end(y, mo))
        if m := _MONTH_RANGE.match(text):
            y1, m1 = _month(text, m.group(1), m.group(2))
            y2, m2 = _month(text, m.group(3), m.group(4))
            if (y2, m2) < (y1, m1):
                raise PeriodError(f"{text!r} ends before it starts",
                                  f'write the earlier month first: "{m.group(3)}-{m.group(4)}/{m.group(1)}-{m.group(2)}"')
            return cls(text, "range", dt.date(y1, m1, 1), _month_end(y2, m2))
        raise PeriodError(f"{text!r} is not a period", suggest_period(text))

    @property
    def label(self) -> str:
        return self.text

    @property
    def months(self) -> int:
        return (self.last_day.year - self.first_day.year) * 12 + self.last_day.month - self.first_day.month + 1

    @property
    def financial_year(self) -> FinancialYear | None:
        """The financial year, for a period that is exactly one."""
        return FinancialYear.parse(self.text) if self.kind == "financial_year" else None

    @property
    def words(self) -> str:
        if self.kind in ("financial_year", "quarter", "calendar_year"):
            return self.text
        if self.kind == "month":
            return self.first_day.strftime("%b %Y")
        end = self.last_day.strftime("%b %Y")
        if self.months == 12:
            return f"12 months to {end}"
        if self.first_day.year == self.last_day.year:
            return f"{self.first_day.strftime('%b')} to {end}"
        return f"{self.first_day.strftime('%b %Y')} to {end}"

    def __lt__(self, other: "Period") -> bool:
        return (self.first_day, self.last_day, self.text) < (other.first_day, other.last_day, other.text)

    def __str__(self) -> str:
        return self.words


def suggest_period(text: str) -> str:
    return ('write a period as a financial year "2014/15", a calendar year "2012", a month "2013-12", '
            'a quarter "2014/15 Q2" or a range of months "2012-07/2013-06", in quotes')


@dataclass(frozen=True, slots=True)
class When:
    """When an action starts or is due, or a milestone is due, in any form a real plan uses: a plan
    date (2015-03-31, 2015-03, "2015/16 Q3", "2015/16"), ongoing, throughout a financial year
    ({throughout: "2014/15"}) or a span ({from: "2014/15 Q2", to: "2015/16 Q1"}). `tbc` is not a
    When (the caller treats it as "to be confirmed").

    For ordering and slippage a When is reduced to `end`, the last day it covers; ongoing has no end
    (None), so it is never late and never outside the plan period. `words` is what a reader sees
    ("Ongoing", "Throughout 2014/15", "2014/15 Q2 to 2015/16 Q1"); `text` is the value as the plan
    would write it, for the diff and textconv."""

    kind: str  # date | ongoing | throughout | span
    text: str
    words: str
    start: dt.date | None
    end: dt.date | None
    precision: str  # day | month | quarter | year | ongoing: of the end, for slippage in quarters or months

    @classmethod
    def parse(cls, raw) -> "When":
        if isinstance(raw, dict):
            return _when_of_mapping(tuple(sorted((str(k), str(v)) for k, v in raw.items())))
        return _when_of_text(str(raw))

    @property
    def quarter(self) -> Quarter | None:
        return quarter_of(self.end) if self.end else None

    def display(self) -> str:
        return self.words

    def __str__(self) -> str:
        return self.words


@lru_cache(maxsize=4096)
def _when_of_text(text: str) -> When:
    if text == "ongoing":
        return When("ongoing", "ongoing", "Ongoing", None, None, "ongoing")
    d = PlanDate.parse(text)
    return When("date", text, d.display(), d.start, d.end, d.precision)


@lru_cache(maxsize=4096)
def _when_of_mapping(items: tuple) -> When:
    raw = dict(items)
    if set(raw) == {"throughout"}:
        fy = FinancialYear.parse(raw["throughout"])
        return When("throughout", f'{{throughout: "{fy.label}"}}', f"Throughout {fy.label}",
                    fy.first_day, fy.last_day, "year")
    if set(raw) == {"from", "to"}:
        ends = []
        for name in ("from", "to"):
            if raw[name] == "tbc":
                ends.append(None)
                continue
            end = _when_of_text(raw[name])
            if end.kind == "ongoing":
                raise PeriodError("a span runs from one date to another, and ongoing is not a date",
                                  'write due: ongoing on its own, or give both ends, e.g. '
                                  '{from: "2014/15 Q2", to: "2015/16 Q1"}')
            ends.append(end)
        first, last = ends
        if first and last and last.end < first.start:
            raise PeriodError(f"the span ends ({last.words}) before it starts ({first.words})",
                              "write the earlier date as from:, the later as to:")
        words = f"{first.words if first else 'TBC'} to {last.words if last else 'TBC'}"
        return When("span", f'{{from: "{raw["from"]}", to: "{raw["to"]}"}}', words,
                    first.start if first else None, last.end if last else None,
                    last.precision if last else "ongoing")
    raise PeriodError("this is not a date this plan understands",
                      'write {throughout: "2014/15"} or {from: "2014/15 Q2", to: "2015/16 Q1"}')

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


class PeriodError(ValueError):
    """A financial year, quarter or date that is well-formed text but not a real period."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.hint = hint


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
        raise PeriodError(f"{text!r} is not a date", 'write 2015-03-31, 2015-03, "2015/16 Q3" or "2015/16"')

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

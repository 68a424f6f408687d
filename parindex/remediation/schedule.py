"""When a remediation action is due and whether it is overdue. Pure: dates in, answers out.

An action's deadline is one of:

- ``date``: a given day (e.g. "trước ngày 01/3");
- ``year``: through the year ("cả năm"), due on 31 December of the plan's year;
- ``quarterly``: a recurring task reported every quarter ("hàng quý"): each quarter that
  ended since the plan was approved must have a progress note made on or after the
  quarter's first day, and the whole task is due on 31 December.

An action is overdue from the day after its due day until it is done. A quarterly action is
also overdue while the last ended quarter has no progress note. A deadline is met through
the whole of its day, as the assessment deadlines are (``workflow.window_open``).
"""

from __future__ import annotations

import datetime as dt

DATE = "date"
YEAR = "year"
QUARTERLY = "quarterly"
DONE = "done"
OVERDUE = "overdue"


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(day: dt.date) -> dt.date:
    start = quarter_start(day)
    following = dt.date(start.year + (start.month == 10), (start.month + 3 - 1) % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def quarter_label(day: dt.date) -> str:
    return f"quý {('I', 'II', 'III', 'IV')[(day.month - 1) // 3]}/{day.year}"


def final_due(kind: str, due: dt.date | None, year: int) -> dt.date:
    """The last day of the whole action."""
    if kind == DATE and due is not None:
        return due
    return dt.date(year, 12, 31)


def next_due(kind: str, due: dt.date | None, year: int, today: dt.date) -> dt.date:
    """The next day something is due: the date, the end of the year, or for a quarterly task
    the end of the current quarter (never past the end of the year)."""
    last = final_due(kind, due, year)
    if kind == QUARTERLY and today.year == year:
        return min(quarter_end(today), last)
    return last


def missed_quarter(
    year: int, today: dt.date, approved_on: dt.date | None, last_note_on: dt.date | None
) -> dt.date | None:
    """For a quarterly task: the end of the last ended quarter of ``year`` with no progress
    note since its first day, or None. Quarters ended before the plan was approved are not asked."""
    if today.year < year:
        return None
    latest_end = quarter_end(dt.date(year, 12, 31)) if today.year > year else quarter_start(today) - dt.timedelta(1)
    if latest_end.year != year:  # still in the first quarter of the year
        return None
    if approved_on is not None and latest_end < approved_on:
        return None
    if last_note_on is not None and last_note_on >= quarter_start(latest_end):
        return None
    return latest_end


def is_overdue(
    kind: str,
    due: dt.date | None,
    year: int,
    status: str,
    today: dt.date,
    *,
    approved_on: dt.date | None = None,
    last_note_on: dt.date | None = None,
) -> bool:
    if status == DONE:
        return False
    if today > final_due(kind, due, year):
        return True
    if kind == QUARTERLY:
        return missed_quarter(year, today, approved_on, last_note_on) is not None
    return False


def shown_status(status: str, overdue: bool) -> str:
    """The status a person sees: the stored one, or "overdue" when the deadline has passed."""
    return OVERDUE if overdue and status != DONE else status


def done_on_time(kind: str, due: dt.date | None, year: int, status: str, completed_on: dt.date | None) -> bool:
    """Done, and by its final due day: what sub-criterion 1.5.3 counts."""
    return status == DONE and completed_on is not None and completed_on <= final_due(kind, due, year)


def describe_deadline(kind: str, due: dt.date | None, year: int) -> str:
    """ "Hạn 01/03/2026", "Cả năm 2026", "Hàng quý, năm 2026"."""
    if kind == DATE and due is not None:
        return f"Hạn {due:%d/%m/%Y}"
    if kind == QUARTERLY:
        return f"Hàng quý, năm {year}"
    return f"Cả năm {year}"

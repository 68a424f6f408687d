"""When remediation actions are due and overdue (pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from parindex.remediation import schedule

D = dt.date


@pytest.mark.parametrize(
    ("day", "start", "end", "label"),
    [
        (D(2026, 1, 1), D(2026, 1, 1), D(2026, 3, 31), "quý I/2026"),
        (D(2026, 5, 17), D(2026, 4, 1), D(2026, 6, 30), "quý II/2026"),
        (D(2026, 9, 30), D(2026, 7, 1), D(2026, 9, 30), "quý III/2026"),
        (D(2026, 12, 31), D(2026, 10, 1), D(2026, 12, 31), "quý IV/2026"),
    ],
)
def test_quarters(day, start, end, label):
    assert (schedule.quarter_start(day), schedule.quarter_end(day), schedule.quarter_label(day)) == (start, end, label)


def test_a_dated_action_is_overdue_from_the_day_after_its_due_day_until_done():
    due = D(2026, 3, 1)
    assert not schedule.is_overdue("date", due, 2026, "not_started", D(2026, 3, 1))
    assert schedule.is_overdue("date", due, 2026, "not_started", D(2026, 3, 2))
    assert schedule.is_overdue("date", due, 2026, "in_progress", D(2026, 11, 20))
    assert not schedule.is_overdue("date", due, 2026, "done", D(2026, 11, 20))


def test_a_whole_year_action_is_due_on_the_last_day_of_the_plan_year():
    assert schedule.final_due("year", None, 2026) == D(2026, 12, 31)
    assert not schedule.is_overdue("year", None, 2026, "in_progress", D(2026, 12, 31))
    assert schedule.is_overdue("year", None, 2026, "in_progress", D(2027, 1, 1))


def test_a_quarterly_action_needs_a_progress_note_in_each_ended_quarter():
    approved = D(2026, 3, 10)
    # In the first quarter nothing has ended yet.
    assert schedule.missed_quarter(2026, D(2026, 3, 20), approved, None) is None
    # Quarter I ended on 31/3 with no note: overdue until a note comes.
    assert schedule.missed_quarter(2026, D(2026, 4, 1), approved, None) == D(2026, 3, 31)
    assert schedule.is_overdue("quarterly", None, 2026, "in_progress", D(2026, 4, 1), approved_on=approved)
    # A note made in quarter I (or late, in quarter II) answers for it.
    assert schedule.missed_quarter(2026, D(2026, 4, 1), approved, D(2026, 3, 28)) is None
    assert schedule.missed_quarter(2026, D(2026, 4, 5), approved, D(2026, 4, 3)) is None
    # A note of quarter II does not answer for quarter III.
    assert schedule.missed_quarter(2026, D(2026, 10, 2), approved, D(2026, 6, 30)) == D(2026, 9, 30)
    # Quarters that ended before the plan was approved are not asked for.
    assert schedule.missed_quarter(2026, D(2026, 4, 20), D(2026, 4, 15), None) is None
    # The next due day is the end of the current quarter, never past the year.
    assert schedule.next_due("quarterly", None, 2026, D(2026, 5, 2)) == D(2026, 6, 30)
    assert schedule.next_due("quarterly", None, 2026, D(2027, 1, 5)) == D(2026, 12, 31)
    # After the year, an unfinished quarterly task is overdue whatever its notes.
    assert schedule.is_overdue(
        "quarterly", None, 2026, "in_progress", D(2027, 1, 1), approved_on=approved, last_note_on=D(2026, 12, 30)
    )


def test_done_on_time_is_what_1_5_3_counts():
    assert schedule.done_on_time("date", D(2026, 3, 1), 2026, "done", D(2026, 3, 1))
    assert not schedule.done_on_time("date", D(2026, 3, 1), 2026, "done", D(2026, 3, 2))
    assert schedule.done_on_time("year", None, 2026, "done", D(2026, 12, 31))
    assert not schedule.done_on_time("year", None, 2026, "in_progress", None)


def test_deadlines_in_words():
    assert schedule.describe_deadline("date", D(2026, 3, 1), 2026) == "Hạn 01/03/2026"
    assert schedule.describe_deadline("year", None, 2026) == "Cả năm 2026"
    assert schedule.describe_deadline("quarterly", None, 2026) == "Hàng quý, năm 2026"
    assert schedule.shown_status("in_progress", True) == "overdue"
    assert schedule.shown_status("done", True) == "done"

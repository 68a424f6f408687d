"""Reading notifications, and the facts the reminders are planned from.

A reminder source is a function ``(today, reminder_days) -> list[PlannedNotification]``
that reads what it needs in a fixed number of queries (never one per unit or per user)
and plans with the pure functions of ``reminders``; ``services.REMINDER_SOURCES`` lists them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from parindex.accounts.models import COMMUNE_ROLES, Role, RoleAssignment
from parindex.appraisals.models import AppraiserAssignment, ClarificationRequest
from parindex.assessments.models import Assessment, DeadlineExtension, Stage
from parindex.assessments.workflow import COMMUNE_TURN, Status
from parindex.core.compiled import CompiledSelect
from parindex.notifications import reminders
from parindex.notifications.models import Notification

# The province roles some deadline reminder goes to.
PROVINCE_REMINDED = frozenset({Role.APPRAISER, Role.COUNCIL_CHAIR, Role.PROVINCE_ADMIN})


def user_notifications(user: Any) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def unread_count(user: Any) -> int:
    """How many of the user's notifications are unread (one COUNT query, compiled once a process:
    the menu shows it on every page; none when anonymous)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    counted = _UNREAD.rows(user.pk)
    return counted[0][0] if counted else 0


_UNREAD = CompiledSelect(  # one group (no row when none is unread)
    lambda user_id: (
        Notification.objects.filter(user_id=user_id, read_at__isnull=True)
        .order_by()
        .values("user_id")
        .annotate(n=Count("pk"))
        .values_list("n")
    )
)


def deadline_facts() -> reminders.DeadlineFacts:
    """The cycles with some assessment not yet published, and who their deadlines concern (five queries)."""
    unfinished = Assessment.objects.filter(cycle=OuterRef("cycle_id")).exclude(status=Status.PUBLISHED)
    rows = list(
        Assessment.objects.filter(Exists(unfinished))
        .order_by("cycle_id", "unit__name", "pk")
        .values(
            "pk", "status", "unit_id", "unit__name", "cycle_id", "cycle__name", "cycle__province_id",
            "cycle__self_assessment_due", "cycle__appraisal_due", "cycle__clarification_due", "cycle__publication_due",
        )
    )  # fmt: skip
    if not rows:
        return reminders.DeadlineFacts(cycles={}, assessments=())
    cycles = {
        r["cycle_id"]: reminders.CycleFacts(
            id=r["cycle_id"],
            name=r["cycle__name"],
            province_id=r["cycle__province_id"],
            self_assessment_due=r["cycle__self_assessment_due"],
            appraisal_due=r["cycle__appraisal_due"],
            clarification_due=r["cycle__clarification_due"],
            publication_due=r["cycle__publication_due"],
        )
        for r in rows
    }
    cycle_ids = list(cycles)

    # The latest grant counts: read in grant order, later rows overwrite earlier ones.
    extensions: dict[tuple[int, str], dt.date] = {}
    for assessment_id, stage, until in (
        DeadlineExtension.objects.filter(assessment__cycle_id__in=cycle_ids, assessment__status__in=COMMUNE_TURN)
        .order_by("granted_at", "pk")
        .values_list("assessment_id", "stage", "until")
    ):
        extensions[assessment_id, stage] = until
    requests: dict[int, tuple[int, dt.date]] = {}
    for assessment_id, number, deadline in (
        ClarificationRequest.objects.filter(assessment__cycle_id__in=cycle_ids, assessment__status=Status.CLARIFICATION)
        .order_by("number")
        .values_list("assessment_id", "number", "deadline")
    ):
        requests[assessment_id] = (number, deadline)

    people: dict[tuple[int, str], set[int]] = defaultdict(set)
    in_cycles = Assessment.objects.filter(cycle_id__in=cycle_ids).values("unit_id")
    province_ids = {c.province_id for c in cycles.values()}
    for unit_id, role, user_id in RoleAssignment.objects.filter(
        Q(role__in=COMMUNE_ROLES, unit_id__in=in_cycles) | Q(role__in=PROVINCE_REMINDED, unit_id__in=province_ids),
        user__is_active=True,
    ).values_list("unit_id", "role", "user_id"):
        people[unit_id, role].add(user_id)

    appraiser_units: dict[int, dict[int, set[int | None]]] = defaultdict(lambda: defaultdict(set))
    for cycle_id, appraiser_id, unit_id in (
        AppraiserAssignment.objects.filter(cycle_id__in=cycle_ids)
        .order_by()
        .values_list("cycle_id", "appraiser_id", "unit_id")
        .distinct()
    ):
        appraiser_units[cycle_id][appraiser_id].add(unit_id)

    assessments = []
    for r in rows:
        number, deadline = requests.get(r["pk"], (None, None))
        assessments.append(
            reminders.AssessmentFacts(
                id=r["pk"],
                cycle_id=r["cycle_id"],
                unit_id=r["unit_id"],
                unit_name=r["unit__name"],
                status=r["status"],
                url=reverse("assessments:assessment-detail", args=[r["pk"]]),
                appraisal_url=reverse("appraisals:appraisal-detail", args=[r["pk"]]),
                self_assessment_until=extensions.get((r["pk"], Stage.SELF_ASSESSMENT)),
                clarification_until=extensions.get((r["pk"], Stage.CLARIFICATION)),
                clarification_deadline=deadline,
                clarification_number=number,
            )
        )
    return reminders.DeadlineFacts(
        cycles=cycles,
        assessments=assessments,
        people={key: frozenset(users) for key, users in people.items()},
        appraiser_units={
            cycle_id: {user_id: frozenset(units) for user_id, units in by_user.items()}
            for cycle_id, by_user in appraiser_units.items()
        },
        assessment_list_url=reverse("assessments:assessment-list"),
        appraisal_list_url=reverse("appraisals:appraisal-list"),
    )


def deadline_reminders(today: dt.date, reminder_days: Collection[int]) -> list[reminders.PlannedNotification]:
    """Reminder source: the cycles' deadlines (self-assessment, clarification, appraisal, publication)."""
    return reminders.deadline_reminders(deadline_facts(), today, reminder_days)

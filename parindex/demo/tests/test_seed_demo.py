from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from parindex.accounts.models import Role, RoleAssignment
from parindex.assessments.models import Answer, Assessment, Assignment, Cycle
from parindex.assessments.workflow import Status
from parindex.frameworks.models import FrameworkVersionEvent
from parindex.remediation import selectors
from parindex.remediation.models import Action, ActionNote, Plan
from parindex.remediation.workflow import PlanStatus
from parindex.results.models import PublishedResult
from parindex.units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


def test_it_seeds_a_realistic_province_once(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    province = AdministrativeUnit.objects.get(era="current", code="44")
    cycles = {c.year: c for c in Cycle.objects.filter(province=province)}
    assert len(cycles) == 2
    last, current = sorted(cycles)
    assert Assessment.objects.filter(cycle=cycles[last]).count() >= 20
    assert set(Assessment.objects.filter(cycle=cycles[last]).values_list("status", flat=True)) == {Status.PUBLISHED}
    # Last year is ranked against the year before, published for the old communes it was formed from.
    results = PublishedResult.objects.filter(publication__year=last)
    assert results.count() >= 20 and results.exclude(rank_change=None).count() == results.count()
    assert PublishedResult.objects.filter(publication__year=last - 1, unit_name="Xã Triệu Trạch").exists()
    states = set(Assessment.objects.filter(cycle=cycles[current]).values_list("status", flat=True))
    assert states == {Status.DRAFT, Status.SUBMITTED, Status.APPRAISING, Status.CLARIFICATION}
    first = RoleAssignment.objects.get(user__username="chutich").unit
    assert first.name == "Xã Nam Cửa Việt"  # successor of Triệu Trạch, the commune of the seed documents
    assert set(RoleAssignment.objects.values_list("role", flat=True)) == set(Role.values)
    open_answers = Answer.objects.filter(assessment__cycle=cycles[current], assessment__unit=first).count()
    assert 10 < open_answers < 53  # partial, as in a real year
    assert Assignment.objects.filter(assessment__unit=first, assessment__cycle=cycles[current]).count() == 7
    assert "parindex-demo-2026" in text and "vanphong" in text

    # Remediation: plans in every state, overdue actions among them.
    plans = dict(Plan.objects.filter(year=current).values_list("unit__name", "status"))
    assert plans[first.name] == PlanStatus.APPROVED and PlanStatus.DRAFT in plans.values()
    rows = selectors.action_board(Plan.objects.get(unit=first, year=current), timezone.localdate())
    assert any(r.overdue for r in rows) and any(r.action.status == "done" for r in rows)
    assert ActionNote.objects.filter(action__plan__unit=first).exists()

    # The demo's events went through the services, so they notified as they would: the ward asked
    # to clarify two items sees the request with its items, the appraisers the units submitted.
    from parindex.notifications.models import Kind, Notification

    for username in ("congchuc.xakhac", "chutich.xakhac"):
        (asked,) = Notification.objects.filter(user__username=username, kind=Kind.CLARIFICATION_REQUESTED)
        assert asked.title.startswith("Yêu cầu giải trình lần 1: 2 tiêu chí (1.1.3, 1.6) – Phường Đông Hà, hạn ")
        assert "- 1.1.3 " in asked.body and "- 1.6 " in asked.body
    assert Notification.objects.filter(user__username="thamdinh", kind=Kind.SUBMITTED).count() == 4
    assert Notification.objects.filter(user__username="congchuc", kind=Kind.ACTION_ASSIGNED).exists()

    counted = (
        Answer, Assessment, RoleAssignment, PublishedResult, Plan, Action, ActionNote, FrameworkVersionEvent,
        Notification,
    )  # fmt: skip
    before = [model.objects.count() for model in counted]
    call_command("seed_demo", stdout=io.StringIO())
    assert [model.objects.count() for model in counted] == before


def test_the_demo_logins_work_and_nobody_but_an_operator_is_staff(settings):
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from parindex.demo.management.commands.seed_demo import DEMO_PASSWORD, LOGINS

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    users = get_user_model().objects.all()
    assert not users.filter(is_staff=True).exists() and not users.filter(is_superuser=True).exists()
    assert not users.exclude(user_permissions=None).exists()
    for username, *_ in LOGINS:
        client = Client()
        assert client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD}).status_code == 302
        assert client.get(reverse("home")).status_code in (200, 302), username
        assert client.get("/quan-tri/").status_code == 302, username
    admin = Client()
    admin.post(reverse("login"), {"username": "sonoivu", "password": DEMO_PASSWORD})
    html = admin.get(reverse("accounts:people-list")).content.decode()
    assert "congchuc.xakhac" in html and "vanphong" in html
    head = Client()
    head.post(reverse("login"), {"username": "chutich", "password": DEMO_PASSWORD})
    html = head.get(reverse("accounts:people-list")).content.decode()
    assert "congchuc2" in html and "congchuc.xakhac" not in html and "thamdinh" not in html


def test_it_refuses_to_create_published_passwords_outside_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=io.StringIO())

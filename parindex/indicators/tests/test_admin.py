"""The admin site edits indicator definitions and only shows what the services write."""

from __future__ import annotations

import pytest
from django.urls import reverse

from parindex.indicators.tests.factories import make_indicator

pytestmark = pytest.mark.django_db


def test_definitions_are_edited_and_figures_only_shown(client, django_user_model):
    indicator = make_indicator()
    client.force_login(django_user_model.objects.create_superuser("root", password="x-root-1"))
    for model in ("indicator", "indicatortarget", "indicatorvalue", "importmapping", "importbatch"):
        assert client.get(reverse(f"admin:indicators_{model}_changelist")).status_code == 200
    page = client.get(reverse("admin:indicators_indicator_change", args=[indicator.pk]))
    assert page.status_code == 200 and 'name="target"' in page.content.decode()
    assert client.get(reverse("admin:indicators_indicatorvalue_add")).status_code == 403
    assert client.get(reverse("admin:indicators_indicatortarget_add")).status_code == 403

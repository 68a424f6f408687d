"""The 766 index feeding a sub-criterion: offered beside the score like an indicator, written
with "Dùng số liệu này" through the audited answer service, 404 for another commune; a contest
accepted changes the offer; and the assessments app imports nothing of this app."""

from __future__ import annotations

import ast
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from parindex import scoring
from parindex.accounts.models import Role
from parindex.accounts.selectors import principal_for
from parindex.assessments import sources
from parindex.assessments.models import Answer, AuditEntry
from parindex.assessments.tests.factories import open_cycle, user_with_role
from parindex.external import feeding, services
from parindex.external.models import ExternalValue
from parindex.external.tests.conftest import V2_HEADER, csv, v2_line
from parindex.frameworks import services as framework_services
from parindex.frameworks.selectors import framework_version_spec

pytestmark = pytest.mark.django_db
BUTTON = "Dùng số liệu này"
LINKS = {"3.8": "index:766", "7.5": "index:766:last:so_hoa"}


def _with_links(spec: scoring.Framework) -> scoring.Framework:
    doc = scoring.framework_to_dict(spec)

    def walk(nodes):
        for node in nodes:
            if node.get("code") in LINKS:
                node["source"] = LINKS[node["code"]]
            walk(node.get("children", []))

    walk(doc["criteria"])
    return scoring.parse_framework(doc)


@pytest.fixture
def scene(reference_spec, index, province, commune, other_commune, admin_p):
    version = framework_services.framework_import(spec=_with_links(reference_spec), publish=True).version
    framework_version_spec(version)
    lines = [
        v2_line("19639", dt.date(2026, 10, 26), (18, 20, 12, 10, 18, 22)),  # 100
        v2_line("19639", dt.date(2026, 11, 2), (15, 20, 12, 10, 18, 11)),  # 86, so_hoa 11/22
    ]
    services.external_results_import(
        index=index, province=province, file=csv(V2_HEADER, *lines), filename="766.csv", source_system="Cổng DVC",
        extracted_on=dt.date(2026, 11, 16), contest_until=dt.date(2026, 11, 27), actor=None, principal=admin_p,
    )  # fmt: skip
    cycle = open_cycle(province, version, commune, other_commune)
    return {
        "a": cycle.assessments.get(unit=commune),
        "b": cycle.assessments.get(unit=other_commune),
        "office": user_with_role("vp", Role.COMMUNE_OFFICE, commune),
        "b_office": user_with_role("vpb", Role.COMMUNE_OFFICE, other_commune),
    }


def test_the_links_are_read_from_the_source_key(reference_spec):
    spec = _with_links(reference_spec)
    assert feeding.link_of(spec, "3.8") == feeding.Link("766", "mean", "")
    assert feeding.link_of(spec, "7.5") == feeding.Link("766", "last", "so_hoa")
    assert feeding.link_of(spec, "3.5") is None  # an indicator source


def test_the_offers_are_the_mean_of_the_weeks_and_the_last_components_ratio(scene):
    a = scene["a"]
    offers = sources.input_sources(a, framework_version_spec(a.cycle.framework_version))
    assert offers["3.8"].kind == "index" and offers["3.8"].inputs == {"value": Decimal("0.9300")}
    assert "trung bình 2 kỳ năm 2026: 93% điểm tối đa" in offers["3.8"].detail
    assert offers["7.5"].inputs == {"value": Decimal("0.5000")}
    assert "kỳ từ 02/11/2026" in offers["7.5"].detail
    b = scene["b"]
    assert not any(
        o.kind == "index" for o in sources.input_sources(b, framework_version_spec(b.cycle.framework_version)).values()
    )


def test_applied_the_answer_is_written_and_audited_and_another_commune_gets_404(client, scene):
    a = scene["a"]
    client.force_login(scene["office"])
    html = client.get(reverse("assessments:assessment-detail", args=[a.pk])).content.decode()
    assert "Chỉ số 766" in html and BUTTON in html
    response = client.post(reverse("assessments:source-apply", args=[a.pk, "3.8"]))
    assert response.status_code == 302
    answer = Answer.objects.get(assessment=a, criterion__code="3.8")
    assert Decimal(answer.inputs["value"]) == Decimal("0.93")
    assert "Theo Chỉ số 766" in answer.explanation
    assert AuditEntry.objects.filter(assessment=a, criterion__code="3.8").exists()
    assert sources.input_sources(a, framework_version_spec(a.cycle.framework_version))["3.8"].matches_answer
    client.force_login(scene["b_office"])
    assert client.post(reverse("assessments:source-apply", args=[a.pk, "3.8"])).status_code == 404


def test_an_accepted_contest_changes_the_offer(scene, people, admin, admin_p):
    office = people["office"]()
    value = ExternalValue.objects.get(result__period_start=dt.date(2026, 11, 2), component__code="so_hoa")
    contest = services.value_contest_open(
        value=value, reason="Thiếu", proposed="22", evidence="", actor=office, principal=principal_for(office)
    )
    services.value_contest_decide(
        contest=contest, accept=True, new_value="22", reason="ok", actor=admin, principal=admin_p
    )
    a = scene["a"]
    offers = sources.input_sources(a, framework_version_spec(a.cycle.framework_version))
    assert offers["7.5"].inputs == {"value": Decimal("1.0000")} and offers["3.8"].inputs == {"value": Decimal("0.9850")}


def test_the_assessments_app_imports_no_app_that_registers_with_it():
    """The index source registers itself (``ExternalConfig.ready``): nothing under assessments/
    names parindex.external."""
    root = Path(__file__).resolve().parents[2] / "assessments"
    for path in root.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom | ast.Import):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [n.name for n in node.names]
                assert not any(n.startswith("parindex.external") for n in names), path
    assert sources.KINDS["index"] is feeding.SOURCE

"""The review pages: who sees what (404) and may do what (403), refusals that keep what was
typed, the evidence served privately, and query counts that do not grow with the items."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from parindex.reviews import services
from parindex.reviews.models import ReviewRequest
from parindex.reviews.workflow import ItemOutcome, ReviewStatus

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def login(client, scene, who):
    client.force_login(scene.people[who])
    return client


def opened(scene):
    services.review_period_set(
        publication=scene.publication, until=timezone.localdate() + dt.timedelta(days=10),
        actor=scene.people["admin"], principal=scene.principal("admin"),
    )  # fmt: skip
    return scene


def filed(scene, codes=None):
    codes = codes or [scene.contested.code, scene.other.code]
    claims = [services.Claim(code, f"Lý do {code}", io.BytesIO(PDF), "bao-cao.pdf") for code in codes]
    return services.review_request_file(
        result=scene.result(0), claims=claims, actor=scene.people["head"], principal=scene.principal("head")
    )


def test_the_head_files_from_the_page_and_a_refusal_keeps_what_was_typed(client, scene):
    opened(scene)
    login(client, scene, "head")
    listing = client.get(reverse("reviews:request-list")).content.decode()
    url = reverse("reviews:request-new", args=[scene.result(0).pk])
    assert url in listing
    page = client.get(url)
    assert page.status_code == 200 and f'value="{scene.contested.code}"' in page.content.decode()
    refused = client.post(url, {"code": [scene.contested.code], f"reason-{scene.contested.code}": "",
                                f"reason-{scene.other.code}": "Giữ lại chữ này"})  # fmt: skip
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "ghi lý do đề nghị phúc tra" in html and "Giữ lại chữ này" in html
    assert not ReviewRequest.objects.exists()
    done = client.post(url, {
        "code": [scene.contested.code], f"reason-{scene.contested.code}": "Đạt 100 %",
        f"file-{scene.contested.code}": SimpleUploadedFile("bc.pdf", PDF, content_type="application/pdf"),
    })  # fmt: skip
    request = ReviewRequest.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("reviews:request-detail", args=[request.pk])
    assert request.items.get().sha256


def test_who_sees_and_who_may_act(client, scene):
    opened(scene)
    request = filed(scene)
    detail = reverse("reviews:request-detail", args=[request.pk])
    item = request.items.get(code=scene.contested.code)
    file_url = reverse("reviews:item-file", args=[request.pk, item.pk])
    new_url = reverse("reviews:request-new", args=[scene.result(0).pk])
    panel = reverse("reviews:publication-panel", args=[scene.publication.pk])
    expected = {
        "head": {detail: 200, file_url: 200, new_url: 200, panel: 404},
        "office": {detail: 200, file_url: 200, new_url: 403, panel: 404},
        "head_1": {detail: 404, file_url: 404, new_url: 404, panel: 404},
        "appraiser": {detail: 200, file_url: 200, new_url: 403, panel: 200},
        "chair": {detail: 200, panel: 200},
        "admin": {detail: 200, panel: 200},
    }
    for who, urls in expected.items():
        login(client, scene, who)
        for url, status in urls.items():
            assert client.get(url).status_code == status, (who, url)
    login(client, scene, "head_1")
    assert (
        client.post(
            reverse("reviews:request-transition", args=[request.pk]), {"to": "rejected", "note": "x"}
        ).status_code
        == 404
    )
    login(client, scene, "head")
    assert (
        client.post(
            reverse("reviews:request-transition", args=[request.pk]), {"to": "rejected", "note": "x"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("reviews:item-save", args=[request.pk, item.pk]), {"value_percent": "100", "comment": "x"}
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("reviews:period-set", args=[scene.publication.pk]), {"until": "2030-01-01"}).status_code
        == 404
    )
    client.logout()
    assert client.get(detail).status_code == 302  # to the login page
    request.refresh_from_db()
    assert request.status == ReviewStatus.FILED


def test_the_phuc_tra_form_starts_from_the_published_inputs_and_refusals_keep_the_typing(client, scene):
    opened(scene)
    request = filed(scene)
    item = request.items.get(code=scene.contested.code)
    login(client, scene, "appraiser")
    html = client.get(reverse("reviews:request-detail", args=[request.pk])).content.decode()
    assert f'id="pct-{item.pk}" value="0"' in html  # the contested item was published at 0 %
    save = reverse("reviews:item-save", args=[request.pk, item.pk])
    refused = client.post(save, {"value_percent": "abc", "comment": "Kiểm tra", "revision": item.revision})
    assert refused.status_code == 400
    assert "Tỷ lệ phải là một số" in refused.content.decode() and 'value="abc"' in refused.content.decode()
    ok = client.post(save, {"value_percent": "100", "comment": "Có báo cáo", "revision": item.revision})
    assert ok.status_code == 302
    item.refresh_from_db()
    assert item.outcome == ItemOutcome.CHANGED and item.inputs == {"value": "1"}


@pytest.mark.parametrize("who", ["head", "appraiser"])
def test_the_request_page_costs_the_same_queries_for_one_item_and_many(
    client, scene, who, django_assert_max_num_queries
):
    from parindex.frameworks.selectors import framework_version_spec

    opened(scene)
    spec = framework_version_spec(scene.assessments[0].cycle.framework_version)
    counts = []
    for codes in ([scene.contested.code], [n.code for n in spec.leaves][:12]):
        ReviewRequest.objects.all().delete()
        request = filed(scene, codes)
        login(client, scene, who)
        url = reverse("reviews:request-detail", args=[request.pk])
        client.get(url)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 12, counts


def test_the_correction_is_issued_only_by_the_admin(client, scene):
    opened(scene)
    request = filed(scene, [scene.contested.code])
    item = request.items.get()
    services.review_item_reappraise(
        item=item, inputs={"value": "1"}, comment="Đạt", base_revision=item.revision, actor=scene.people["appraiser"],
        principal=scene.principal("appraiser"),
    )  # fmt: skip
    services.review_transition(request=request, to=ReviewStatus.REVIEWED, actor=scene.people["appraiser"],
                               principal=scene.principal("appraiser"))  # fmt: skip
    services.review_transition(request=request, to=ReviewStatus.APPROVED, actor=scene.people["chair"],
                               principal=scene.principal("chair"))  # fmt: skip
    url = reverse("reviews:correction-issue", args=[scene.publication.pk])
    data = {"dc-reason": "Theo phúc tra", "dc-decision_number": "170/QĐ-UBND",
            "dc-decision_date": f"{timezone.localdate():%d/%m/%Y}"}  # fmt: skip
    login(client, scene, "head")
    assert client.post(url, data).status_code == 404
    login(client, scene, "chair")
    assert client.post(url, data).status_code == 403
    login(client, scene, "admin")
    refused = client.post(url, {**data, "dc-decision_number": ""})
    assert refused.status_code == 400 and "Nhập số quyết định" in refused.content.decode()
    done = client.post(url, data)
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.status == ReviewStatus.CORRECTED


def test_the_assessments_history_shows_the_review(client, scene):
    opened(scene)
    filed(scene)
    login(client, scene, "head")
    page = client.get(reverse("assessments:history", args=[scene.assessments[0].pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Phúc tra sau công bố" in html and "Đề nghị phúc tra" in html

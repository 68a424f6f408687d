"""The appraisal page as a work surface: one field at a time with each field's progress, a
save answering with its card and the figures only, tử số / mẫu số over a percent shown
before, the clarification request and the finish confirmed first, and pinned query counts
(no more than before the redesign, whatever the number of criteria)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from lxml import html as lxml_html

from parindex.appraisals import services
from parindex.appraisals.models import ClarificationRequest, ItemAppraisal
from parindex.appraisals.tests import test_views
from parindex.appraisals.tests.test_views import u, who
from parindex.assessments.workflow import Status
from parindex.frameworks import selectors as framework_selectors
from parindex.frameworks.models import Criterion

pytestmark = pytest.mark.django_db

# The same units, appraisers and fields as the permission matrix, built once for this module too.
globals().update(test_views.SHARED)
HX = {"HTTP_HX_REQUEST": "true"}


def css(element, selector: str) -> list:
    """Elements under ``element`` matching a small CSS subset: ``tag.class[attr=value]`` or
    ``#id`` steps separated by spaces (descendants); enough for these tests, without the
    cssselect package."""
    path = "."
    for step in selector.split():
        if step.startswith("#"):
            path += f'//*[@id="{step[1:]}"]'
            continue
        match = re.fullmatch(r"([a-z0-9*]*)((?:\.[\w-]+)*)((?:\[[^\]]+\])*)", step)
        assert match, step
        tag, classes, attrs = match.groups()
        tests = [f'contains(concat(" ", normalize-space(@class), " "), " {c} ")' for c in classes.split(".")[1:]]
        for attr in re.findall(r"\[([^\]]+)\]", attrs):
            name, _, value = attr.partition("=")
            tests.append(f'@{name}="{value.strip(chr(34))}"' if value else f"@{name}")
        path += f"//{tag or '*'}" + "".join(f"[{t}]" for t in tests)
    return element.xpath(path)


def save(client, scene, code, data, person="noivu"):
    client.force_login(scene["users"][person])
    return client.post(u("appraisal-save", scene["a"].pk, code), data, **HX)


def flag(scene, code, person="noivu", comment="Đề nghị bổ sung báo cáo"):
    user = scene["users"][person]
    services.appraisal_save(
        assessment=scene["a"], criterion=Criterion.objects.get(version=scene["version"], code=code), round=1,
        inputs={"value": "0.7"} if code == "1.1.3" else {"met": True}, comment=comment, needs_clarification=True,
        base_revision=None, actor=user, principal=who(user),
    )  # fmt: skip
    scene["a"].refresh_from_db()


def fragments(content: bytes) -> list:
    return lxml_html.fragments_fromstring(content.decode())


class TestOneFieldAtATime:
    def test_the_first_field_is_shown_with_every_fields_progress(self, client, scene):
        client.force_login(scene["users"]["noivu"])
        page = client.get(u("appraisal-detail", scene["a"].pk)).content.decode()
        assert 'id="item-1.1.3"' in page and 'id="item-2.1"' not in page and 'id="item-3.12"' not in page
        tabs = css(lxml_html.fromstring(page), ".apx-fields a")
        assert [t.get("href").rsplit("=", 1)[1] for t in tabs] == ["I", "II", "III"]
        assert tabs[0].get("aria-current") == "page" and "0/" in tabs[0].text_content()

    def test_a_field_by_its_link_and_its_progress_after_a_save(self, client, scene):
        save(client, scene, "2.1", {"met": "false", "comment": "Chưa ban hành"})
        page = client.get(u("appraisal-detail", scene["a"].pk) + "?linh-vuc=II").content.decode()
        assert 'id="item-2.1"' in page and 'id="item-1.1.3"' not in page
        current = css(lxml_html.fromstring(page), ".apx-tab.current")[0].text_content()
        assert "1/" in current and "1 khác tự đánh giá" in current

    def test_the_items_are_cards_not_table_rows(self, client, scene):
        client.force_login(scene["users"]["council"])
        page = lxml_html.fromstring(client.get(u("appraisal-detail", scene["a"].pk)).content)
        items = css(page, "article.apx-item")
        assert items and not css(page, "tr.leaf") and not css(page, "table.appraise")
        first = items[0]
        assert css(first, ".apx-self .apx-values") and css(first, ".apx-evidence")
        assert css(first, ".apx-appraised .apx-score") and css(first, ".apx-clarify")
        # The form opens in place, closed to begin with; every control has a label.
        edit = css(first, "details.apx-edit")[0]
        assert edit.get("open") is None
        for control in edit.xpath('.//input[not(@type="hidden")] | .//select | .//textarea'):
            labelled = css(page, f'label[for="{control.get("id")}"]') or control.getparent().tag == "label"
            assert labelled, control.get("name")


class TestSave:
    def test_a_save_answers_with_its_card_and_the_figures_only(self, client, scene):
        response = save(client, scene, "1.1.3", {"value_percent": "70", "comment": "Chỉ 7/10 nhiệm vụ"})
        parts = fragments(response.content)
        ids = [p.get("id") for p in parts if isinstance(p, lxml_html.HtmlElement)]
        assert ids == ["item-1.1.3", "summary", "steps"]
        assert [p.tag for p in parts] == ["article", "section", "section"]  # never a bare <tr>
        card, summary, _ = parts
        assert card.get("hx-swap-oob") is None and summary.get("hx-swap-oob") == "true"
        assert "1,40" in css(card, ".apx-appraised")[0].text_content()
        assert "Đã thẩm định" in css(card, ".apx-state")[0].text_content()
        assert "Khác tự đánh giá: −0,40 điểm" in card.text_content()
        assert css(card, "[role=status]") and css(card, "details.apx-edit")[0].get("open") is None
        figures = css(summary, ".apx-figures")[0].text_content()
        assert "1/" in figures  # appraised x/y

    def test_ticking_clarification_shows_the_item_waiting_and_the_request_form(self, client, scene):
        response = save(
            client, scene, "1.1.3",
            {"value_percent": "70", "comment": "Đề nghị giải trình số nhiệm vụ", "needs_clarification": "on"},
        )  # fmt: skip
        card, _, steps = fragments(response.content)
        assert "Chờ gửi yêu cầu giải trình" in card.text_content()
        assert "Đề nghị giải trình số nhiệm vụ" in css(card, ".apx-clarify")[0].text_content()
        request = css(steps, "#request")[0]
        assert "1.1.3" in request.text_content() and css(request, "form input[name=deadline]")

    def test_a_flag_without_a_question_is_refused_as_typed(self, client, scene):
        response = save(client, scene, "1.1.3", {"value_percent": "65", "needs_clarification": "on"})
        card = fragments(response.content)[0]
        assert "Ghi rõ nội dung cần giải trình" in css(card, ".field-error")[0].text_content()
        assert css(card, "details.apx-edit")[0].get("open") is not None
        assert css(card, "input[name=value_percent]")[0].get("value") == "65"
        assert css(card, "input[name=needs_clarification]")[0].get("checked") is not None
        assert not ItemAppraisal.objects.exists()

    def test_a_conflict_keeps_what_was_typed_and_says_what_is_saved(self, client, scene):
        save(client, scene, "1.1.3", {"value_percent": "70"})
        response = save(client, scene, "1.1.3", {"value_percent": "60", "comment": "Của tôi"}, person="council")
        card = fragments(response.content)[0]
        error = css(card, ".field-error")[0].text_content()
        assert "vừa được người khác cập nhật" in error and "Điểm đang lưu: Tỷ lệ 70%" in error
        assert css(card, "input[name=value_percent]")[0].get("value") == "60"
        assert css(card, "textarea[name=comment]")[0].text == "Của tôi"
        assert ItemAppraisal.objects.get().inputs == {"value": "0.7"}


class TestRatio:
    """1.1.3 (proportional) was self-assessed as 90%: the form shows 90 in the percent field."""

    shown = {"shown_percent": "90", "shown_numerator": "", "shown_denominator": ""}

    def test_the_form_shows_the_percent_found_and_labels_every_input(self, client, scene):
        client.force_login(scene["users"]["noivu"])
        card = lxml_html.fromstring(client.get(u("appraisal-detail", scene["a"].pk)).content).get_element_by_id(
            "item-1.1.3"
        )
        assert css(card, "input[name=value_percent]")[0].get("value") == "90"
        assert css(card, "input[name=shown_percent]")[0].get("value") == "90"
        labels = [label.text_content() for label in css(card, ".apx-inputs label")]
        assert labels[:3] == ["Tử số", "Mẫu số", "Tỷ lệ (%)"]

    def test_a_ratio_typed_over_the_percent_shown_is_taken(self, client, scene):
        data = {**self.shown, "value_percent": "90", "numerator": "7", "denominator": "10"}
        card = fragments(save(client, scene, "1.1.3", data).content)[0]
        assert not css(card, ".field-error")
        assert ItemAppraisal.objects.get().inputs == {"numerator": "7", "denominator": "10"}
        assert "7/10 (70%)" in css(card, ".apx-appraised")[0].text_content()
        # The next form shows the ratio, and a percent typed over it is taken in turn.
        assert css(card, "input[name=shown_numerator]")[0].get("value") == "7"
        data = {"revision": "1", "shown_numerator": "7", "shown_denominator": "10", "numerator": "7",
                "denominator": "10", "value_percent": "80"}  # fmt: skip
        save(client, scene, "1.1.3", data)
        assert ItemAppraisal.objects.get().inputs == {"value": "0.8"}

    @pytest.mark.parametrize(
        ("typed", "message"),
        [
            ({"value_percent": "85", "numerator": "7", "denominator": "10"}, "Chỉ ghi tỷ lệ hoặc tử số và mẫu số"),
            ({"value_percent": "90", "numerator": "7"}, "Mẫu số: cần ghi cả tử số và mẫu số."),
            ({"value_percent": "90", "numerator": "7", "denominator": "0"}, "Mẫu số: mẫu số bằng 0"),
            ({"value_percent": "90", "numerator": "bảy", "denominator": "10"}, "Tử số: 'bảy' không phải là số"),
            ({"value_percent": "-5"}, "Tỷ lệ: tỷ lệ không được âm (đang là -5%)."),
        ],
    )
    def test_a_refused_ratio_says_why_in_words_and_keeps_what_was_typed(self, client, scene, typed, message):
        card = fragments(save(client, scene, "1.1.3", {**self.shown, **typed}).content)[0]
        error = css(card, ".field-error")[0].text_content()
        assert message in error
        assert not re.search(r"\b(value|numerator|denominator|applicable)\b", error)
        for name, value in typed.items():
            assert css(card, f"input[name={name}]")[0].get("value") == value
        assert not ItemAppraisal.objects.exists()


class TestClarificationRequest:
    def test_the_request_is_shown_back_then_sent_once_confirmed(self, client, scene):
        flag(scene, "1.1.3")
        url = u("clarification-send", scene["a"].pk)
        client.force_login(scene["users"]["noivu"])
        review = client.post(url, {"deadline": "05/12/2026", "message": "Gửi trước ngày 5"}, **HX)
        steps = fragments(review.content)[0]
        assert steps.get("id") == "steps"
        confirm = css(steps, "details.confirm")[0]
        text = confirm.text_content()
        assert "Gửi yêu cầu giải trình 1 tiêu chí cho Xã Nam Cửa Việt, hạn 05/12/2026?" in text
        assert "bị khóa" in text and "Đang giải trình" in text
        posted = {i.get("name"): i.get("value") for i in css(confirm, "form input[type=hidden]")}
        assert posted["items"] == "1.1.3" and posted["confirmed"] == "on" and posted["deadline"] == "05/12/2026"
        assert not ClarificationRequest.objects.exists()
        # Another item flagged meanwhile: shown again with the new list, not sent.
        flag(scene, "1.1.2")
        again = client.post(url, posted, **HX)
        steps = fragments(again.content)[0]
        assert "vừa thay đổi" in css(steps, "[role=alert]")[0].text_content()
        assert "2 tiêu chí" in css(steps, "details.confirm")[0].text_content()
        assert not ClarificationRequest.objects.exists()
        response = client.post(url, {**posted, "items": "1.1.2,1.1.3"})
        assert response.status_code == 302
        sent = ClarificationRequest.objects.get()
        assert sent.message == "Gửi trước ngày 5" and sent.items.count() == 2
        scene["a"].refresh_from_db()
        assert scene["a"].status == Status.CLARIFICATION

    def test_a_past_deadline_is_refused_before_anything_is_confirmed(self, client, scene):
        flag(scene, "1.1.3")
        client.force_login(scene["users"]["noivu"])
        response = client.post(u("clarification-send", scene["a"].pk), {"deadline": "01/01/2026"}, **HX)
        steps = fragments(response.content)[0]
        assert "Hạn giải trình phải từ hôm nay trở đi" in steps.text_content()
        assert not css(steps, "details.confirm") and css(steps, "input[name=deadline]")


class TestFinish:
    def test_the_page_says_why_it_cannot_finish_then_asks_to_confirm(self, client, scene):
        council = scene["users"]["council"]
        client.force_login(council)
        save(client, scene, "1.1.3", {"value_percent": "70"}, person="council")
        steps = lxml_html.fromstring(client.get(u("appraisal-detail", scene["a"].pk)).content).get_element_by_id(
            "steps"
        )
        assert "Còn 52 tiêu chí thành phần chưa có điểm thẩm định" in steps.text_content()
        assert not css(steps, "details.confirm")
        scene["a"].refresh_from_db()
        services.appraisal_accept_self(assessment=scene["a"], actor=council, principal=who(council))
        steps = lxml_html.fromstring(client.get(u("appraisal-detail", scene["a"].pk)).content).get_element_by_id(
            "steps"
        )
        confirm = css(steps, "details.confirm")[0]
        assert "Hoàn thành thẩm định" in css(confirm, "summary")[0].text_content()
        text = confirm.text_content()
        assert "Điểm thẩm định cuối được chốt" in text and "bị khóa" in text
        assert css(confirm, "input[name=to]")[0].get("value") == Status.APPRAISED


class TestQueries:
    """Before the redesign: the page 12 queries; an htmx save 24 (29 for the first, which
    starts the appraisal). Now at most as many, for three fields or seven."""

    @pytest.mark.parametrize("person", ["noivu", "council"])
    def test_the_page_and_a_save_make_a_fixed_number_of_queries(
        self, client, scene, django_assert_max_num_queries, person
    ):
        a, user = scene["a"], scene["users"][person]
        client.force_login(user)
        detail, url = u("appraisal-detail", a.pk), u("appraisal-save", a.pk, "1.1.3")
        # An appraiser's scope is read once more than the council chair's (who appraises
        # everything), in the view and again in the service.
        extra = 1 if person == "noivu" else 0
        framework_selectors._CACHE.clear()
        # +1: the unit's survey results of the year linked to the field shown (the divergence
        # notice, external.surveys.unit_divergences); an htmx save does not read them.
        with django_assert_max_num_queries(13 + extra):
            assert client.get(detail).status_code == 200
        # Each save also stores the forecast's projection in its transaction: the assessment
        # locked, its answers, its appraisal rounds, the update (three more than before).
        projection = 3
        with django_assert_max_num_queries(25 + projection + 2 * extra):  # the first save starts the appraisal
            client.post(url, {"value_percent": "70"}, **HX)
        with django_assert_max_num_queries(20 + projection + 2 * extra):
            client.post(url, {"value_percent": "60", "revision": "1"}, **HX)
        a.refresh_from_db()
        services.appraisal_accept_self(assessment=a, actor=user, principal=who(user))
        with django_assert_max_num_queries(12 + extra):  # +1: the survey results, as above
            assert client.get(detail + "?linh-vuc=III").status_code == 200
        with django_assert_max_num_queries(20 + projection + 2 * extra):
            response = client.post(url, {"value_percent": "50", "revision": "2"}, **HX)
        assert "1,00" in response.content.decode()


def test_the_assignment_page_writes_points_the_vietnamese_way(client, scene):
    client.force_login(scene["users"]["admin"])
    page = client.get(u("appraiser-assignment", scene["cycle"].pk)).content.decode()
    assert "(21 điểm)" in page and "21.000000" not in page and "21,000000" not in page
    assert 'class="table cards"' in page and 'data-label="Người thẩm định"' in page
    assert reverse("appraisals:appraisal-list") in page

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from parindex import scoring
from parindex.accounts.permissions import Principal
from parindex.accounts.selectors import principal_for
from parindex.frameworks import selectors, services
from parindex.frameworks.models import Criterion, Framework, FrameworkVersion, FrameworkVersionEvent
from parindex.frameworks.tests.factories import framework_document, province_unit
from parindex.frameworks.workflow import Status

pytestmark = pytest.mark.django_db


def spec_of(doc):
    return scoring.parse_framework(doc)


def test_it_imports_the_reference_framework_as_a_tree_equal_to_the_file(reference_spec):
    result = services.framework_import(spec=reference_spec, source_name="qt.yaml")
    version = result.version
    assert result.outcome == services.Outcome.CREATED
    assert (version.number, version.status) == (1, Status.DRAFT)
    assert Criterion.objects.filter(version=version).count() == len(reference_spec.nodes) == 64
    stored = selectors.framework_version_spec(version)
    assert scoring.framework_to_dict(stored) == scoring.framework_to_dict(reference_spec)
    leaf = Criterion.objects.get(version=version, code="3.13.3")
    assert leaf.parent.code == "3.13" and leaf.parent.parent.code == "III"
    assert leaf.rule_params == {"tiers": [{"min": "0.8", "points": "0.5"}]}


def test_it_is_idempotent_for_identical_content(reference_spec):
    first = services.framework_import(spec=reference_spec, publish=True)
    again = services.framework_import(spec=reference_spec, publish=True)
    assert again.outcome == services.Outcome.UNCHANGED
    assert again.version.pk == first.version.pk
    assert FrameworkVersion.objects.count() == 1


def test_it_makes_a_new_draft_when_a_published_version_changes(reference_spec):
    published = services.framework_import(spec=reference_spec, publish=True).version
    doc = scoring.framework_to_dict(reference_spec)
    doc["criteria"][0]["children"][0]["children"][0]["name"] = "Ban hành kế hoạch CCHC năm đúng hạn"
    result = services.framework_import(spec=spec_of(doc))
    assert result.outcome == services.Outcome.CREATED
    assert (result.version.number, result.version.status) == (2, Status.DRAFT)
    published.refresh_from_db()
    assert published.status == Status.PUBLISHED
    assert Criterion.objects.get(version=published, code="1.1.1").name == "Ban hành kế hoạch CCHC năm kịp thời"
    assert Criterion.objects.get(version=result.version, code="1.1.1").name == "Ban hành kế hoạch CCHC năm đúng hạn"


def test_it_replaces_a_draft_in_place_and_records_it():
    draft = services.framework_import(spec=spec_of(framework_document("DRAFT-1"))).version
    bigger = spec_of(framework_document("DRAFT-1", leaves=3))
    result = services.framework_import(spec=bigger, source_name="v2.yaml")
    assert result.outcome == services.Outcome.REPLACED
    assert result.version.pk == draft.pk
    assert Criterion.objects.filter(version=draft).count() == len(bigger.nodes)
    assert result.version.max_total == Decimal(12)
    assert FrameworkVersionEvent.objects.filter(version=draft, note__contains="v2.yaml").exists()


def test_it_publishes_with_a_conditional_update_and_an_event(province_admin):
    version = services.framework_import(spec=spec_of(framework_document())).version
    services.framework_version_transition(version=version, to=Status.PUBLISHED, actor=province_admin)
    assert version.status == Status.PUBLISHED and version.published_at is not None
    event = FrameworkVersionEvent.objects.filter(version=version).last()
    assert (event.from_status, event.to_status, event.actor) == (Status.DRAFT, Status.PUBLISHED, province_admin)


def test_it_refuses_a_stale_transition_instead_of_applying_it_twice():
    version = services.framework_import(spec=spec_of(framework_document())).version
    stale = FrameworkVersion.objects.get(pk=version.pk)
    services.framework_version_transition(version=version, to=Status.PUBLISHED)
    stale_status_before = stale.status
    assert stale_status_before == Status.DRAFT
    with pytest.raises(ValidationError, match="vừa được người khác"):
        services.framework_version_transition(version=stale, to=Status.PUBLISHED)
    assert FrameworkVersionEvent.objects.filter(version=version, to_status=Status.PUBLISHED).count() == 1


def test_it_refuses_a_transition_outside_the_table():
    version = services.framework_import(spec=spec_of(framework_document())).version
    with pytest.raises(ValidationError, match="Không thể chuyển"):
        services.framework_version_transition(version=version, to=Status.RETIRED)
    version.refresh_from_db()
    assert version.status == Status.DRAFT


def test_a_published_version_is_never_edited_by_a_later_import(reference_spec):
    v1 = services.framework_import(spec=reference_spec, publish=True).version
    before = list(
        Criterion.objects.filter(version=v1).values_list("code", "name", "max_points", "rule_kind", "rule_params")
    )
    doc = scoring.framework_to_dict(reference_spec)
    doc["name"] = "Tên mới"
    services.framework_import(spec=spec_of(doc), publish=True)
    after = list(
        Criterion.objects.filter(version=v1).values_list("code", "name", "max_points", "rule_kind", "rule_params")
    )
    v1.refresh_from_db()
    assert before == after and v1.name == reference_spec.name


def test_the_stored_version_scores_exactly_like_the_file(reference_spec):
    version = services.framework_import(spec=reference_spec).version
    stored = selectors.framework_version_spec(version)
    responses = {
        "1.1.3": {"value": Decimal("0.8")},
        "3.13.1": {"numerator": 337, "denominator": 1000},
        "1.6": {"count": 1},
    }
    assert scoring.score(stored, responses).to_dict() == scoring.score(reference_spec, responses).to_dict()


class TestOwnership:
    """A framework belongs to one province (or is national); only its owner imports new versions."""

    @staticmethod
    def written():
        return (
            list(Framework.objects.order_by("code").values_list("code", "name", "owner_id")),
            list(FrameworkVersion.objects.order_by("pk").values_list("pk", "status", "content_sha256")),
            Criterion.objects.count(),
            FrameworkVersionEvent.objects.count(),
        )

    def test_a_new_code_belongs_to_the_importing_province(self, province):
        version = services.framework_import(spec=spec_of(framework_document("QT-FW")), owner=province).version
        assert version.framework.owner == province
        national = services.framework_import(spec=spec_of(framework_document("NAT-FW"))).version
        assert national.framework.owner is None

    @pytest.mark.parametrize(
        ("first", "then", "message"),
        [
            ("province", "other", "Bộ chỉ số mã SHARED thuộc Tỉnh Quảng Trị; chỉ tỉnh đó được nạp phiên bản mới."),
            ("national", "province", "Bộ chỉ số mã SHARED là bộ chỉ số dùng chung toàn quốc"),
            ("province", "national", "Bộ chỉ số mã SHARED thuộc Tỉnh Quảng Trị; chỉ tỉnh đó được nạp phiên bản mới."),
        ],
    )
    def test_a_code_owned_elsewhere_is_refused_and_nothing_is_written(self, province, first, then, message):
        owners = {"province": province, "other": province_unit(), "national": None}
        services.framework_import(spec=spec_of(framework_document("SHARED")), owner=owners[first], publish=True)
        services.framework_import(spec=spec_of(framework_document("SHARED", leaves=3)), owner=owners[first])
        before = self.written()
        changed = spec_of(framework_document("SHARED", leaves=4, name="Bộ chỉ số đổi tên"))
        with pytest.raises(ValidationError, match=message) as exc:
            services.framework_import(spec=changed, owner=owners[then], publish=True, source_name="x.yaml")
        assert exc.value.code == "owner"
        assert self.written() == before

    def test_a_person_imports_only_for_a_province_it_administers(self, province, province_admin):
        other = province_unit()
        admin = principal_for(province_admin)
        with pytest.raises(PermissionDenied, match="Thành phố Hà Nội"):
            services.framework_import(spec=spec_of(framework_document("HN-FW")), owner=other, principal=admin)
        with pytest.raises(PermissionDenied, match="toàn quốc"):
            services.framework_import(spec=spec_of(framework_document("NAT-FW")), principal=admin)
        assert not Framework.objects.exists()
        mine = services.framework_import(spec=spec_of(framework_document("QT-FW")), owner=province, principal=admin)
        assert mine.version.framework.owner == province

    def test_only_the_owner_moves_a_version(self, province, province_admin):
        national = services.framework_import(spec=spec_of(framework_document("NAT-FW"))).version
        theirs = services.framework_import(spec=spec_of(framework_document("HN-FW")), owner=province_unit()).version
        mine = services.framework_import(spec=spec_of(framework_document("QT-FW")), owner=province).version
        admin = principal_for(province_admin)
        for version in (national, theirs):
            with pytest.raises(PermissionDenied):
                services.framework_version_transition(version=version, to=Status.PUBLISHED, principal=admin)
            version.refresh_from_db()
            assert version.status == Status.DRAFT
        services.framework_version_transition(version=mine, to=Status.PUBLISHED, principal=admin)
        assert mine.status == Status.PUBLISHED
        root = Principal(user_id=province_admin.pk, is_superuser=True)
        services.framework_version_transition(version=national, to=Status.PUBLISHED, principal=root)
        assert national.status == Status.PUBLISHED


class TestExtend:
    """A decision keeps a published version in force after its period; the content stays as it is."""

    DECISION = {"decision_number": "2156/QĐ-UBND", "decision_date": dt.date(2026, 1, 12)}

    @pytest.fixture
    def version(self, reference_spec, province):
        return services.framework_import(spec=reference_spec, publish=True, owner=province).version

    @staticmethod
    def stored(version):
        return FrameworkVersion.objects.filter(pk=version.pk).values_list(
            "extended_to", "extension_decision_number", "extension_decision_date", "content_sha256"
        )[0]

    def test_the_owners_admin_extends_with_an_event_and_the_content_unchanged(self, version, province_admin):
        sha, events = version.content_sha256, version.events.count()
        assert not version.applies_in(2026) and version.applies_until == 2025
        extended = services.framework_version_extend(
            version=version,
            to_year=2026,
            actor=province_admin,
            principal=principal_for(province_admin),
            **self.DECISION,
        )
        assert extended is version and version.extended_to == 2026 and version.applies_until == 2026
        assert version.applies_in(2026) and version.applies_in(2023) and not version.applies_in(2027)
        assert not version.applies_in(2022)
        assert self.stored(version) == (2026, "2156/QĐ-UBND", dt.date(2026, 1, 12), sha)
        assert version.period_label == "2023–2025" and version.applies_label == "2023–2026"
        assert version.events.count() == events + 1
        event = version.events.last()
        assert (event.from_status, event.to_status, event.actor) == (Status.PUBLISHED, Status.PUBLISHED, province_admin)
        assert event.note == "Kéo dài thời gian áp dụng đến năm 2026 (QĐ số 2156/QĐ-UBND ngày 12/01/2026)"
        # The stored tree, its hash and the exported document are those of the decision, unextended.
        assert selectors.framework_version_document(version)["period"] == {"from": 2023, "to": 2025}

    def test_a_later_decision_replaces_an_earlier_one_but_not_below_a_year_in_use(self, version, commune):
        from parindex.assessments.services import cycle_open
        from parindex.assessments.tests.factories import DUES

        services.framework_version_extend(version=version, to_year=2027, actor=None, **self.DECISION)
        cycle_open(province=version.framework.owner, year=2027, framework_version=version, units=[commune], **DUES)
        with pytest.raises(ValidationError, match="Đã có kỳ đánh giá năm 2027 dùng phiên bản này"):
            services.framework_version_extend(version=version, to_year=2026, actor=None, **self.DECISION)
        services.framework_version_extend(
            version=version, to_year=2028, actor=None, decision_number="12/QĐ-UBND", decision_date=dt.date(2026, 3, 1)
        )
        assert self.stored(version)[:3] == (2028, "12/QĐ-UBND", dt.date(2026, 3, 1))

    @pytest.mark.parametrize(
        ("to_year", "decision", "problems"),
        [
            (2025, {}, ["Năm kéo dài phải sau năm kết thúc giai đoạn (2025) và không quá 2030"]),
            (2024, {}, ["Năm kéo dài phải sau năm kết thúc giai đoạn (2025)"]),
            (2031, {}, ["và không quá 2030; sau đó cần ban hành bộ chỉ số của giai đoạn mới"]),
            (
                2026,
                {"decision_number": "  ", "decision_date": None},
                ["Nhập số quyết định kéo dài", "Nhập ngày quyết định kéo dài"],
            ),
            (2026, {"decision_date": dt.date(2026, 12, 1)}, ["Ngày quyết định không được sau hôm nay."]),
            (2020, {"decision_number": ""}, ["Năm kéo dài phải sau", "Nhập số quyết định kéo dài"]),
        ],
    )
    def test_it_refuses_bad_years_and_a_missing_decision_listing_every_problem(
        self, version, to_year, decision, problems
    ):
        before = (self.stored(version), version.events.count())
        with pytest.raises(ValidationError) as exc:
            services.framework_version_extend(
                version=version, to_year=to_year, actor=None, **(self.DECISION | decision)
            )
        assert len(exc.value.messages) == len(problems)
        for message, needle in zip(exc.value.messages, problems, strict=True):
            assert needle in message
        assert (self.stored(version), version.events.count()) == before

    def test_it_refuses_a_draft_a_retired_version_and_an_open_ended_one(self, reference_spec, province):
        draft = services.framework_import(spec=reference_spec, owner=province).version
        with pytest.raises(ValidationError, match="phiên bản đang áp dụng"):
            services.framework_version_extend(version=draft, to_year=2026, actor=None, **self.DECISION)
        services.framework_version_transition(version=draft, to=Status.PUBLISHED)
        services.framework_version_transition(version=draft, to=Status.RETIRED)
        with pytest.raises(ValidationError, match="phiên bản đang áp dụng"):
            services.framework_version_extend(version=draft, to_year=2026, actor=None, **self.DECISION)
        open_ended = services.framework_import(spec=spec_of(framework_document("NO-END")), publish=True).version
        with pytest.raises(ValidationError, match="không cần kéo dài"):
            services.framework_version_extend(version=open_ended, to_year=2026, actor=None, **self.DECISION)
        assert not FrameworkVersion.objects.exclude(extended_to=None).exists()

    def test_only_a_manager_of_the_framework_extends_it(self, version, province_admin, commune_officer):
        other = province_unit()
        theirs = services.framework_import(spec=spec_of(framework_document("HN-FW")), owner=other, publish=True).version
        FrameworkVersion.objects.filter(pk=theirs.pk).update(period_from=2023, period_to=2025)
        theirs.refresh_from_db()
        for person, target in ((province_admin, theirs), (commune_officer, version)):
            with pytest.raises(PermissionDenied, match="tỉnh sở hữu bộ chỉ số"):
                services.framework_version_extend(
                    version=target, to_year=2026, actor=person, principal=principal_for(person), **self.DECISION
                )
        assert not FrameworkVersion.objects.exclude(extended_to=None).exists()
        root = Principal(user_id=commune_officer.pk, is_superuser=True)
        services.framework_version_extend(version=theirs, to_year=2026, actor=None, principal=root, **self.DECISION)
        assert theirs.extended_to == 2026

    @pytest.mark.parametrize(
        "change",
        [{"extended_to": 2025, "extension_decision_number": "1/QĐ"}, {"extended_to": 2026}],
        ids=["not-after-the-period", "without-a-decision"],
    )
    def test_the_database_refuses_an_extension_the_service_would(self, version, change):
        from django.db import IntegrityError, transaction

        with pytest.raises(IntegrityError), transaction.atomic():
            FrameworkVersion.objects.filter(pk=version.pk).update(**change)

    def test_a_stale_extension_is_refused_instead_of_overwriting(self, version):
        stale = FrameworkVersion.objects.select_related("framework").get(pk=version.pk)
        services.framework_version_extend(version=version, to_year=2027, actor=None, **self.DECISION)
        with pytest.raises(ValidationError, match="vừa được người khác thay đổi"):
            services.framework_version_extend(version=stale, to_year=2026, actor=None, **self.DECISION)
        assert self.stored(version)[0] == 2027
        assert version.events.filter(note__startswith="Kéo dài").count() == 1

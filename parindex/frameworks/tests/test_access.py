"""Framework pages by person × framework owner: list, draft page, import, re-import, publish, retire, extend.

Three frameworks (national, Quảng Trị's, Hà Nội's), each with a published version 1 and a
draft version 2. Only the owner's province admin (and superusers) see the draft, re-import,
publish and retire; a national framework is the superusers' only.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parindex import scoring
from parindex.accounts.models import Role, RoleAssignment
from parindex.frameworks.models import Criterion, Framework, FrameworkVersion, FrameworkVersionEvent
from parindex.frameworks.tests.factories import framework_document, province_unit, stored_version
from parindex.frameworks.workflow import Status
from parindex.units.tests.factories import nam_cua_viet, quang_tri
from tests.shared import shared_fixtures

pytestmark = pytest.mark.django_db

PERSONAS = (
    "qt_admin",
    "hn_admin",
    "commune_officer",
    "commune_office",
    "commune_head",
    "appraiser",
    "anonymous",
    "superuser",
)
PROVINCE_ADMINS = {"qt_admin", "hn_admin"}
MANAGERS = {"national": {"superuser"}, "qt": {"superuser", "qt_admin"}, "hn": {"superuser", "hn_admin"}}
CODES = {"national": "NAT-FW", "qt": "QT-FW", "hn": "HN-FW"}
IMPORT = reverse("frameworks:framework-import")


def _world(reference_spec):
    province = quang_tri()
    commune = nam_cua_viet(province)
    hanoi = province_unit()
    owners = {"national": None, "qt": province, "hn": hanoi}
    for key, code in CODES.items():
        stored_version(code, owner=owners[key])  # v1, published
        stored_version(code, owner=owners[key], publish=False, leaves=3)  # v2, draft
    grants = {
        "qt_admin": (Role.PROVINCE_ADMIN, province, True),
        "hn_admin": (Role.PROVINCE_ADMIN, hanoi, True),
        "commune_officer": (Role.COMMUNE_OFFICER, commune, False),
        "commune_office": (Role.COMMUNE_OFFICE, commune, False),
        "commune_head": (Role.COMMUNE_HEAD, commune, False),
        "appraiser": (Role.APPRAISER, province, True),
    }
    users = {}
    for name, (role, unit, below) in grants.items():
        users[name] = get_user_model().objects.create_user(name, password="pw-" + name)
        RoleAssignment.objects.create(user=users[name], role=role, unit=unit, include_descendants=below)
    users["superuser"] = get_user_model().objects.create_superuser("root", password="pw-root")
    users["anonymous"] = None
    return {"world": {"owners": owners, "users": users, "own": {"qt_admin": province, "hn_admin": hanoi}}}


# Every test here works in the same world: built once for the module (tests/shared.py), each test
# on its own copy.
globals().update(shared_fixtures(_world, "world"))


def written():
    return (
        list(Framework.objects.order_by("code").values_list("code", "name", "owner_id")),
        list(FrameworkVersion.objects.order_by("pk").values_list("pk", "status", "content_sha256")),
        Criterion.objects.count(),
        FrameworkVersionEvent.objects.count(),
    )


def yaml_file(code, **shape):
    return SimpleUploadedFile(f"{code}.yaml", scoring.dumps(framework_document(code, **shape)).encode())


def version_url(name, code, number):
    return reverse(f"frameworks:{name}", args=[code, number])


def to_login(response):
    return response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("fw", list(CODES))
@pytest.mark.parametrize("who", PERSONAS)
def test_the_pages_follow_the_ownership_matrix(client, world, who, fw):
    manager, code = who in MANAGERS[fw], CODES[fw]
    owner = world["owners"][fw]
    owner_key = "" if owner is None else str(owner.pk)
    if world["users"][who] is not None:
        client.force_login(world["users"][who])

    # The list: published versions for everyone, the draft for the managers only.
    html = client.get(reverse("frameworks:framework-list")).content.decode()
    assert version_url("version-detail", code, 1) in html
    assert (version_url("version-detail", code, 2) in html) is manager

    # The draft's page.
    assert client.get(version_url("version-detail", code, 2)).status_code == (200 if manager else 404)

    # Re-importing the code (changed content) for its owner.
    before = written()
    response = client.post(IMPORT, {"owner": owner_key, "file": yaml_file(code, leaves=4)})
    if manager:
        assert response.status_code == 302
        assert Criterion.objects.filter(version__framework__code=code, version__number=2).count() == 2 + 4 + 16
    else:
        if who == "anonymous":
            assert to_login(response)
        elif who in PROVINCE_ADMINS:  # their own province is imposed, and the code is not theirs
            assert response.status_code == 400
            assert "chỉ tỉnh đó được nạp" in response.content.decode() or "dùng chung toàn quốc" in (
                response.content.decode()
            )
        else:
            assert response.status_code == 403
        assert written() == before

    # A new code, asking for the framework's owner: only a manager of that owner gets it.
    response = client.post(IMPORT, {"owner": owner_key, "file": yaml_file(f"NEW-{code}")})
    created = Framework.objects.filter(code=f"NEW-{code}").first()
    if manager:
        assert response.status_code == 302 and created.owner == owner
    elif who in PROVINCE_ADMINS:
        assert response.status_code == 302 and created.owner == world["own"][who]
    else:
        assert created is None
        assert to_login(response) if who == "anonymous" else response.status_code == 403

    # Retiring the published version 1 and publishing the draft version 2.
    retire = client.post(version_url("version-transition", code, 1), {"to": Status.RETIRED})
    publish = client.post(version_url("version-transition", code, 2), {"to": Status.PUBLISHED})
    statuses = dict(FrameworkVersion.objects.filter(framework__code=code).values_list("number", "status"))
    if manager:
        assert (retire.status_code, publish.status_code) == (302, 302)
        assert statuses == {1: Status.RETIRED, 2: Status.PUBLISHED}
    else:
        if who == "anonymous":
            assert to_login(retire) and to_login(publish)
        else:
            assert (retire.status_code, publish.status_code) == (403, 404)
        assert statuses == {1: Status.PUBLISHED, 2: Status.DRAFT}


@pytest.mark.parametrize("fw", list(CODES))
@pytest.mark.parametrize("who", PERSONAS)
def test_the_extension_follows_the_ownership_matrix(client, world, who, fw):
    """Only the owner's managers see the form and record an extension; a draft stays hidden."""
    manager, code = who in MANAGERS[fw], CODES[fw]
    FrameworkVersion.objects.filter(framework__code=code).update(period_from=2023, period_to=2025)
    if world["users"][who] is not None:
        client.force_login(world["users"][who])
    html = client.get(version_url("version-detail", code, 1)).content.decode()
    assert (version_url("version-extend", code, 1) in html) is manager
    data = {"to_year": "2026", "decision_number": "2156/QĐ-UBND", "decision_date": "12/01/2026"}
    published = client.post(version_url("version-extend", code, 1), data)
    draft = client.post(version_url("version-extend", code, 2), data)
    extended = dict(FrameworkVersion.objects.filter(framework__code=code).values_list("number", "extended_to"))
    if manager:
        assert (published.status_code, draft.status_code) == (302, 400)  # a draft is not extended
        assert extended == {1: 2026, 2: None}
    else:
        if who == "anonymous":
            assert to_login(published) and to_login(draft)
        else:
            assert (published.status_code, draft.status_code) == (403, 404)
        assert extended == {1: None, 2: None}


def test_the_list_names_each_owner_and_offers_management_to_managers_only(client, world):
    html = client.get(reverse("frameworks:framework-list")).content.decode()
    for owner in ("Dùng chung toàn quốc", "Tỉnh Quảng Trị", "Thành phố Hà Nội"):
        assert f"Thuộc: {owner}" in html
    assert "Bạn quản lý" not in html and IMPORT not in html
    client.force_login(world["users"]["qt_admin"])
    html = client.get(reverse("frameworks:framework-list")).content.decode()
    assert html.count("Bạn quản lý bộ chỉ số này") == 1 and IMPORT in html
    client.force_login(world["users"]["superuser"])
    html = client.get(reverse("frameworks:framework-list")).content.decode()
    assert html.count("Bạn quản lý bộ chỉ số này") == 3


def test_the_import_page_offers_the_owner_only_to_those_who_have_a_choice(client, world):
    client.force_login(world["users"]["qt_admin"])
    html = client.get(IMPORT).content.decode()
    assert "<select" not in html and "Bộ chỉ số của: <strong>Tỉnh Quảng Trị</strong>" in html
    client.force_login(world["users"]["superuser"])
    html = client.get(IMPORT).content.decode()
    assert '<select name="owner"' in html
    assert all(name in html for name in ("Dùng chung toàn quốc", "Tỉnh Quảng Trị", "Thành phố Hà Nội"))


def test_a_superuser_picks_the_owner_and_an_unknown_choice_is_refused(client, world):
    client.force_login(world["users"]["superuser"])
    response = client.post(IMPORT, {"owner": "999999", "file": yaml_file("ODD-FW")})
    assert response.status_code == 400 and "Chọn tỉnh sở hữu bộ chỉ số trong danh sách." in response.content.decode()
    assert not Framework.objects.filter(code="ODD-FW").exists()
    hanoi = world["owners"]["hn"]
    assert client.post(IMPORT, {"owner": str(hanoi.pk), "file": yaml_file("HN-2")}).status_code == 302
    assert Framework.objects.get(code="HN-2").owner == hanoi


@pytest.mark.parametrize("who", ["qt_admin", "superuser"])
def test_the_list_takes_a_fixed_number_of_queries_for_a_signed_in_manager(
    client, world, django_assert_num_queries, who
):
    client.force_login(world["users"][who])
    client.get(reverse("frameworks:framework-list"))  # warm the session
    # Session, user with their grants, frameworks with their owners, versions, the header's unread notifications.
    with django_assert_num_queries(5):
        response = client.get(reverse("frameworks:framework-list"))
    assert response.status_code == 200

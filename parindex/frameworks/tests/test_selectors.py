from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from parindex.accounts.permissions import ANONYMOUS, Principal
from parindex.accounts.selectors import principal_for
from parindex.frameworks import selectors
from parindex.frameworks.tests.factories import stored_version

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("leaves", [2, 12])
def test_it_loads_a_whole_tree_in_one_query(django_assert_num_queries, leaves):
    version = stored_version(fields=3, criteria=4, leaves=leaves)
    with django_assert_num_queries(1):
        doc = selectors.framework_version_document(version)
    assert len(doc["criteria"]) == 3
    assert len(doc["criteria"][2]["children"][3]["children"]) == leaves


def test_it_hides_drafts_from_everyone_but_framework_managers(commune_officer, province_admin, province):
    draft = stored_version("DRAFT-X", publish=False, owner=province)
    stored_version("NATIONAL-DRAFT", publish=False)
    for user in (AnonymousUser(), commune_officer):
        with pytest.raises(Http404):
            selectors.framework_version_get_for(principal_for(user), "DRAFT-X", draft.number)
    admin = principal_for(province_admin)
    assert selectors.framework_version_get_for(admin, "DRAFT-X", draft.number) == draft
    with pytest.raises(Http404):  # a national draft is the operators' only
        selectors.framework_version_get_for(admin, "NATIONAL-DRAFT", 1)
    assert [fw.code for fw in selectors.framework_list_for(principal_for(commune_officer))] == []
    assert [fw.code for fw in selectors.framework_list_for(admin)] == ["DRAFT-X"]
    root = Principal(user_id=1, is_superuser=True)
    assert [fw.code for fw in selectors.framework_list_for(root)] == ["DRAFT-X", "NATIONAL-DRAFT"]


def test_a_province_opens_cycles_with_its_own_and_national_frameworks_only(province):
    from parindex.frameworks.tests.factories import province_unit

    other = province_unit()
    own, national = stored_version("OWN", owner=province), stored_version("NAT")
    stored_version("OTHER", owner=other)
    stored_version("OWN-DRAFT", owner=province, publish=False)
    assert set(selectors.versions_usable_by(province)) == {own, national}


def test_import_owners_are_the_admins_provinces_or_for_a_superuser_national_and_every_province(
    province_admin, province
):
    from parindex.frameworks.tests.factories import province_unit

    other = province_unit()
    assert selectors.import_owners_for(principal_for(province_admin)) == [province]
    root = Principal(user_id=1, is_superuser=True)
    assert selectors.import_owners_for(root) == [None, other, province]  # by name
    assert selectors.import_owners_for(ANONYMOUS) == []


def test_it_caches_the_engine_framework_per_content(reference_spec):
    from parindex.frameworks import services

    version = services.framework_import(spec=reference_spec).version
    first = selectors.framework_version_spec(version)
    assert selectors.framework_version_spec(version) is first

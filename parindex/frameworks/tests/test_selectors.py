from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

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


def test_it_hides_drafts_from_everyone_but_framework_managers(commune_officer, province_admin):
    draft = stored_version("DRAFT-X", publish=False)
    for user in (AnonymousUser(), commune_officer):
        with pytest.raises(Http404):
            selectors.framework_version_get_for(user, "DRAFT-X", draft.number)
    assert selectors.framework_version_get_for(province_admin, "DRAFT-X", draft.number) == draft
    assert [fw.code for fw in selectors.framework_list_for(commune_officer)] == []
    assert [fw.code for fw in selectors.framework_list_for(province_admin)] == ["DRAFT-X"]


def test_it_caches_the_engine_framework_per_content(reference_spec):
    from parindex.frameworks import services

    version = services.framework_import(spec=reference_spec).version
    first = selectors.framework_version_spec(version)
    assert selectors.framework_version_spec(version) is first

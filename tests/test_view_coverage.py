"""Every named page of the apps with access rules is exercised by a permission test.

Adding a URL without adding it to a permission matrix (or to the list of pages tested
elsewhere for access) fails here, so no page ships unchecked.
"""

from __future__ import annotations

import importlib

from django.urls import get_resolver

# name -> where its access rules are tested
COVERED = {
    "assessments:assessment-list": "assessments/tests/test_views.py (every role sees only its units)",
    "assessments:assessment-detail": "MATRIX['detail']",
    "assessments:answer-save": "MATRIX['answer']",
    "assessments:source-apply": "assessments/tests/test_sources.py TestApply.test_only_the_office_and_head_may_apply",
    "assessments:evidence-upload": "MATRIX['upload']",
    "assessments:evidence-revision": "MATRIX['revision']",
    "assessments:evidence-download": "MATRIX['download']",
    "assessments:assessment-transition": "MATRIX['transition']",
    "assessments:assignment-edit": "MATRIX['assign'], MATRIX['assign-save']",
    "assessments:cycle-open": "TestCycleOpen.test_only_province_admins_open_cycles",
    "assessments:history": "appraisals/tests/test_views.py MATRIX['history']",
    "assessments:item-history": "appraisals/tests/test_views.py MATRIX['item-history']",
    "assessments:deadline-extend": "appraisals/tests/test_views.py MATRIX['extend']",
    "assessments:clarification-answer": "appraisals/tests/test_views.py test_under_clarification_*, test_another_commune_*",
    "frameworks:framework-list": "frameworks/tests/test_access.py (public; drafts for the owner's managers only)",
    "frameworks:framework-import": "frameworks/tests/test_access.py (own province only), test_views.py TestImport",
    "frameworks:version-detail": "frameworks/tests/test_access.py (404 for drafts but to the owner's managers)",
    "frameworks:version-export": "frameworks/tests/test_views.py (same access as detail)",
    "frameworks:version-transition": "frameworks/tests/test_access.py (owner's managers), test_views.py TestTransition",
    "frameworks:version-extend": "frameworks/tests/test_access.py test_the_extension_follows_the_ownership_matrix, test_views.py TestExtend",
    "assessments:workbook-export": "assessments/tests/test_excel.py TestExport.test_an_outsider_gets_404_and_anyone_who_sees_the_file_may_download_it",
    "assessments:workbook-import": "assessments/tests/test_excel.py TestImport.test_outsiders_get_404_viewers_403_and_get_is_405",
    "accounts:my-account": "accounts/tests/test_views.py",
    "accounts:password-change": "accounts/tests/test_views.py",
    "accounts:password-change-done": "Django's view after a password change",
    "accounts:people-list": "accounts/tests/test_people.py TestPages, tests/security/test_escalation.py",
    "accounts:person-new": "accounts/tests/test_people.py TestCreate, TestPages",
    "accounts:account-log": "accounts/tests/test_people.py TestPages.test_the_account_log_is_the_provinces_own",
    "accounts:person-detail": "tests/security/test_escalation.py (every person URL × other province, operator)",
    "accounts:person-edit": "tests/security/test_escalation.py (every person URL × other province, operator)",
    "accounts:person-password-reset": "tests/security/test_escalation.py (every person URL × other province, operator)",
    "accounts:person-active": "tests/security/test_escalation.py (every person URL × other province, operator)",
    "accounts:person-unlock": "tests/security/test_escalation.py (every person URL × other province, operator)",
    "accounts:role-grant": "tests/security/test_escalation.py (every person URL × other province, operator)",
    "accounts:role-revoke": "tests/security/test_escalation.py (every person URL × other province, operator)",
}


# Apps added later keep their own list as ACCESS_TESTED in their tests package, so that
# work on one app never edits another's list.
APPS_WITH_OWN_LIST = (
    "appraisals",
    "results",
    "notifications",
    "remediation",
    "reviews",
    "documents",
    "dashboards",
    "indicators",
    "dossiers",
    "inbox",
    "external",
)
for _app in APPS_WITH_OWN_LIST:
    COVERED |= {
        f"{_app}:{name}": where
        for name, where in getattr(importlib.import_module(f"parindex.{_app}.tests"), "ACCESS_TESTED", {}).items()
    }


def named_urls() -> set[str]:
    names = set()
    for namespace, (_prefix, resolver) in get_resolver().namespace_dict.items():
        if namespace in {"assessments", "frameworks", "accounts", *APPS_WITH_OWN_LIST}:
            names.update(f"{namespace}:{name}" for name in resolver.reverse_dict if isinstance(name, str))
    return names


def test_every_page_has_its_access_tested():
    assert named_urls() - set(COVERED) == set()


def test_the_coverage_list_names_only_real_pages():
    assert set(COVERED) - named_urls() == set()

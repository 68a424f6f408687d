"""Tests of the late dossiers app."""

_WHERE = "dossiers/tests/test_views.py"

# URL name -> where its access rules are tested (read by tests/test_view_coverage.py).
ACCESS_TESTED: dict[str, str] = {
    "unit-list": f"{_WHERE} MATRIX['list'] (commune people and province board roles; others 404)",
    "dossier-create": f"{_WHERE} MATRIX['create'], MATRIX['create-save'] (office, head, province admin; viewers 403)",
    "dossier-edit": f"{_WHERE} MATRIX['edit'], MATRIX['edit-save']",
    "dossier-delete": f"{_WHERE} MATRIX['delete'], MATRIX['delete-save']",
    "province-list": f"{_WHERE} MATRIX['province'] (province board roles only; commune people 404)",
}

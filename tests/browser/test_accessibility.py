"""Accessibility of the main pages, checked by axe-core (vendored: static/vendor/axe-core/) in
headless chromium on the demo data, for the person who works on each page, at 1366 px and on a
360 px phone: no serious or critical violation of WCAG 2.1 A/AA. A failure lists each rule,
its impact and the elements it found, so it can be fixed where it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from parindex.assessments.models import Assessment
from parindex.assessments.workflow import Status
from parindex.demo.management.commands.seed_demo import DEMO_PASSWORD
from parindex.results.models import Publication
from parindex.units.models import AdministrativeUnit
from tests.browser.helpers import login, seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).resolve().parents[2] / "static/vendor/axe-core/4.14.1/axe.min.js").read_text(encoding="utf-8")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = [(1366, 768), (360, 740)]


@pytest.fixture
def demo(settings, tmp_path):
    seed_demo(settings, tmp_path)
    province = AdministrativeUnit.objects.get(era="current", code="44")
    commune = AdministrativeUnit.objects.get(era="current", name="Xã Nam Cửa Việt")
    year = max(Assessment.objects.values_list("cycle__year", flat=True))
    return {
        "province": province,
        "commune": commune,
        "own": Assessment.objects.get(unit=commune, cycle__year=year),
        "appraising": Assessment.objects.filter(cycle__year=year, status=Status.APPRAISING).first(),
        "publication": Publication.objects.order_by("-year", "-pk").first(),
    }


def violations(page) -> list[str]:
    """Serious and critical axe findings on the page as it is now, one line each."""
    # Evaluated through the driver (not a <script> element), so the page's own CSP stays as it is.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return result.violations.filter(v => ['serious', 'critical'].includes(v.impact)).map(v =>
                `${v.impact} ${v.id}: ${v.help} — ` + v.nodes.slice(0, 5).map(n => n.target.join(' ')).join(' | '));
        }""",
        TAGS,
    )


def check(page, url: str, label: str) -> list[str]:
    problems = []
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(url)
        page.wait_for_load_state("networkidle")
        problems += [f"{label} @{width}px: {line}" for line in violations(page)]
    return problems


def pages(demo, base: str) -> dict[str, list[tuple[str, str]]]:
    """(url, label) to check, by who looks at them (None: a visitor)."""
    return {
        "vanphong": [
            (f"{base}/viec-can-lam/", "inbox (vanphong)"),
            (f"{base}/danh-gia/{demo['own'].pk}/", "self-assessment"),
            (f"{base}/danh-gia/{demo['own'].pk}/?tieu-chi=1.1.3#leaf-1.1.3", "self-assessment, row open"),
            (f"{base}/bang-dieu-khien/xa/{demo['commune'].pk}/", "commune dashboard"),
            (f"{base}/phuc-tra/", "review requests (commune)"),
        ],
        "hoidong": [
            (f"{base}/viec-can-lam/", "inbox (hoidong)"),
            (f"{base}/tham-dinh/{demo['appraising'].pk}/", "appraisal"),
            (f"{base}/bang-dieu-khien/tinh/{demo['province'].pk}/", "province dashboard"),
            (f"{base}/tham-dinh/", "appraisal list"),
            (f"{base}/ket-qua/ky/{demo['appraising'].cycle_id}/", "results board (council)"),
            (f"{base}/phuc-tra/cong-bo/{demo['publication'].pk}/", "review panel of a publication"),
        ],
        None: [
            (f"{base}/ket-qua/", "results list (public)"),
            (f"{base}/ket-qua/{demo['publication'].pk}/", "publication (public)"),
            (f"{base}/dang-nhap/", "login"),
        ],
    }


@pytest.mark.parametrize("who", ["vanphong", "hoidong", None], ids=["commune", "province", "public"])
def test_the_main_pages_have_no_serious_or_critical_violation(page, live_server, demo, who):
    """One test per person (so that the checks spread over the suite's workers)."""
    if who:
        login(page, live_server, who, DEMO_PASSWORD)
    else:
        page.context.clear_cookies()
    problems: list[str] = []
    for url, label in pages(demo, live_server.url)[who]:
        problems += check(page, url, label)
    assert problems == [], "\n".join(problems)

"""The Content-Security-Policy, in a real browser on the demo data: every demo role (and the
public) crawls the pages reachable from its menu, and every page must carry the enforced
policy, raise no ``securitypolicyviolation`` event and no console error, and draw its charts.
A few htmx interactions run under the policy too (saving a self-assessment row, sorting the
ranking, the auto-submitting selects, the select-all of the cycle board), and so does the
admin site. The plain test at the end checks the header's directives without a browser."""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve
from django.utils import timezone

from parindex.demo.management.commands.seed_demo import DEMO_PASSWORD
from parindex.units.models import AdministrativeUnit
from tests.browser.helpers import login, seed_demo, to_dashboard

pytestmark = [pytest.mark.django_db(transaction=True)]

# Recorded before any script of the page runs, on every page the browser opens.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(
    e.violatedDirective + ' blocked ' + (e.blockedURI || '?') + ' at ' + e.sourceFile + ':' + e.lineNumber
    + (e.sample ? ' (' + e.sample + ')' : '')
  );
});
"""

# Views whose links download a file (or log out): not pages to look at.
NOT_PAGES = {
    "logout",
    "frameworks:version-export",
    "assessments:evidence-download",
    "assessments:workbook-export",
    "appraisals:workbook-export",
    "appraisals:appraisal-evidence",
    "results:publication-csv",
    "results:publication-json",
    "results:publication-xlsx",
    "results:cycle-xlsx",
    "remediation:note-file",
    "documents:issued-download",
    "documents:template-download",
    "admin:logout",
    "admin:jsi18n",
    "admin:view_on_site",
}

ROLES = ["sonoivu", "thamdinh", "hoidong", "xem", "chutich", "vanphong", "congchuc", None]

# Views each role's crawl must have reached (it reaches more): the main pages of the brief.
SIGNED_IN = {
    "home",
    "assessments:assessment-list",
    "remediation:plan-list",
    "documents:home",
    "frameworks:framework-list",
    "frameworks:version-detail",
    "results:publication-list",
    "results:publication-detail",
    "notifications:notification-list",
    "accounts:my-account",
    "admin:login",
}
PROVINCE = {"dashboards:province", "assessments:assessment-detail", "remediation:plan-detail"}
COMMUNE = {
    "dashboards:commune",
    "assessments:assessment-detail",
    "remediation:plan-detail",
    "indicators:unit-monitor",
    "dossiers:unit-list",
}
MUST_REACH = {
    "sonoivu": SIGNED_IN
    | PROVINCE
    | {"appraisals:appraisal-list", "results:cycle-board", "indicators:province-monitor", "indicators:targets"}
    | {"dossiers:province-list", "dashboards:commune", "indicators:unit-monitor"},
    "thamdinh": SIGNED_IN | {"dashboards:province", "appraisals:appraisal-list", "appraisals:appraisal-detail"},
    "hoidong": SIGNED_IN
    | PROVINCE
    | {"appraisals:appraisal-list", "appraisals:appraisal-detail", "results:cycle-board", "indicators:province-monitor"}
    | {"dossiers:province-list", "dashboards:commune"},
    "xem": SIGNED_IN | PROVINCE | {"indicators:province-monitor", "dossiers:province-list"},
    "chutich": SIGNED_IN | COMMUNE | {"indicators:entry", "documents:document-new"},
    "vanphong": SIGNED_IN | COMMUNE | {"indicators:entry", "documents:document-new"},
    "congchuc": SIGNED_IN | COMMUNE,
    None: {
        "home",
        "login",
        "admin:login",
        "dashboards:province",
        "results:publication-detail",
        "frameworks:version-detail",
    },
}


@pytest.fixture
def demo(settings, tmp_path):
    seed_demo(settings, tmp_path)
    return AdministrativeUnit.objects.get(era="current", code="44")


class Guard:
    """Watches one browser page: the policy header of every document it loads, CSP
    violations, console errors and uncaught exceptions."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        page.add_init_script(WATCH_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(f"exception: {e}"))

    def _console(self, message) -> None:
        # The browser asks for /favicon.ico on its own; parindex has none (a 404, not a page's error).
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            self.errors.append(f"console: {message.text} ({message.location.get('url')})")

    def open(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"
        assert_enforced(response.headers, url)
        self.check(url)

    def check(self, where: str) -> None:
        """No violation, no console error and every chart drawn, on the page as it is now."""
        page = self.page
        if page.locator("[data-chart]").count():
            page.wait_for_function(
                "() => [...document.querySelectorAll('[data-chart]')]"
                ".every(e => e.dataset.chartReady === '1' || e.classList.contains('chart-failed'))"
            )
            assert page.locator(".chart-failed").count() == 0, f"{where}: a chart could not be drawn"
        # Violation events are queued tasks: let them arrive before reading them.
        violations = page.evaluate("() => new Promise(r => setTimeout(() => r(window.__cspViolations), 50))")
        assert violations == [], f"{where}: {violations}"
        errors, self.errors = self.errors, []
        assert errors == [], f"{where}: {errors}"


def assert_enforced(headers: dict[str, str], where: str) -> None:
    policy = headers.get("content-security-policy")
    assert policy, f"{where}: no Content-Security-Policy header"
    assert "content-security-policy-report-only" not in headers, where
    assert "script-src 'self'" in policy and "unsafe" not in policy, f"{where}: {policy}"


def view_name(path: str) -> str | None:
    try:
        return resolve(urlsplit(path).path).view_name
    except Resolver404:
        return None


def crawl(guard: Guard, base: str, start: list[str], *, depth: int, admin: bool = False) -> list[str]:
    """Visit, breadth first from ``start``, the pages linked from each page down to ``depth``
    links away, one page per view (the first link found); the views visited."""
    seen: set[str] = set()
    queue = deque((path, 0) for path in start)
    while queue:
        path, level = queue.popleft()
        name = view_name(path)
        if name is None or name in seen or name in NOT_PAGES or name.endswith("_delete"):
            continue
        if name.startswith("admin:") != admin and name != "admin:login":
            continue
        seen.add(name)
        guard.open(base + path)
        if level == depth:
            continue
        here = guard.page.url
        for href in guard.page.eval_on_selector_all(
            "a[href]:not([download])", "links => links.map(a => a.getAttribute('href'))"
        ):
            url = urlsplit(urljoin(here, href))
            if f"{url.scheme}://{url.netloc}" == base:
                queue.append((url.path + (f"?{url.query}" if url.query else ""), level + 1))
    return sorted(seen)


@pytest.mark.browser
@pytest.mark.parametrize("who", ROLES, ids=[who or "public" for who in ROLES])
def test_every_page_satisfies_the_policy(page, live_server, demo, who):
    """Each demo role (and a visitor) crawls from its landing page; one test per role, so that
    the crawls spread over the suite's workers (the demo is restored, not loaded, for each)."""
    guard = Guard(page)
    if who:
        login(page, live_server, who, DEMO_PASSWORD)
        page.wait_for_url(lambda url: "/dang-nhap/" not in url)
    else:
        page.context.clear_cookies()
        page.goto(live_server.url)
    landing = urlsplit(page.url).path
    start = [landing, "/", "/tai-khoan/", "/quan-tri/login/"] if who else [landing, "/dang-nhap/", "/quan-tri/login/"]
    visited = crawl(guard, live_server.url, start, depth=3)
    assert MUST_REACH[who] - set(visited) == set(), who or "public"


def settled(page, action) -> None:
    """Run ``action`` (a click, a select) and wait until the htmx swap it causes has settled."""
    page.evaluate(
        "() => { window.__settled = false;"
        " document.addEventListener('htmx:afterSettle', () => { window.__settled = true; }, { once: true }); }"
    )
    action()
    page.wait_for_function("() => window.__settled === true")


@pytest.mark.browser
def test_htmx_and_the_page_scripts_work_under_the_policy(page, live_server, demo):
    from parindex.assessments.models import Assessment, Status

    guard = Guard(page)
    year = timezone.localdate().year
    base = live_server.url

    # The commune office saves a row of its self-assessment: htmx swaps the row.
    login(page, live_server, "vanphong", DEMO_PASSWORD)
    mine = Assessment.objects.get(cycle__year=year, unit__name="Xã Nam Cửa Việt")
    guard.open(f"{base}/danh-gia/{mine.pk}/")
    # The watch sees what the policy blocks: a style attribute put in the page is reported.
    page.evaluate(
        "() => document.querySelector('main').insertAdjacentHTML('beforeend', '<p style=\"color:red\">x</p>')"
    )
    blocked = page.evaluate("() => new Promise(r => setTimeout(() => r(window.__cspViolations.splice(0)), 50))")
    assert len(blocked) == 1 and blocked[0].startswith("style-src-attr"), blocked
    guard.errors.clear()  # the browser's console reports the refusal too
    row = page.locator("tr.leaf:has(form[hx-post])").first
    row_id = row.get_attribute("id")
    settled(page, lambda: row.locator("button", has_text="Lưu").click())
    assert page.locator(f'[id="{row_id}"]').count() == 1
    guard.check("self-assessment row saved")

    # The province's council chair sorts the ranking (htmx swaps it and redraws the heatmap),
    # filters the dashboard with an auto-submitting select, and hovers over a chart.
    login(page, live_server, "hoidong", DEMO_PASSWORD)
    to_dashboard(page)  # the landing page is the inbox, which links the dashboard
    page.wait_for_url(f"**/bang-dieu-khien/tinh/{demo.pk}/")
    guard.check("province dashboard")
    assert page.locator("#tien-do .progress-bar span").first.evaluate("e => e.getBoundingClientRect().width") > 0
    heatmap = page.locator("#ranking [data-chart]").first
    assert heatmap.evaluate("e => getComputedStyle(e).minWidth") != "0px"
    settled(page, lambda: page.locator("#ranking th a.sort", has_text="Đơn vị").click())
    page.wait_for_selector("#ranking [data-chart-ready='1']")
    names = page.locator("#ranking tbody tr th").all_inner_texts()
    assert names == sorted(names)
    guard.check("ranking sorted")
    # Back to the unsorted ranking: the page is loaded again (htmx keeps no snapshot whose
    # script-set styles the policy would block), then forward to the sorted one.
    page.go_back()
    page.wait_for_load_state()
    assert "sap-xep" not in page.url
    guard.check("back from the sorted ranking")
    page.go_forward()
    page.wait_for_load_state()
    assert "sap-xep=ten" in page.url
    guard.check("forward to the sorted ranking")
    chart = page.locator("[data-chart-ready='1']").first
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(300)
    guard.check("chart tooltip")
    classification = page.locator("select[name=loai]")
    choice = classification.locator("option").nth(1).get_attribute("value")
    with page.expect_navigation():
        classification.select_option(choice)
    assert "loai=" in page.url
    guard.check("dashboard filtered")

    # The select-all of the cycle board checks, then clears, every unit that may be approved.
    cycle = mine.cycle
    Assessment.objects.filter(cycle=cycle, status=Status.SUBMITTED).update(status=Status.APPRAISED)
    guard.open(f"{base}/ket-qua/ky/{cycle.pk}/")
    boxes = page.locator("input[name=assessments]")
    assert boxes.count() >= 2
    page.locator("input[data-check-all]").check()
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    page.locator("input[data-check-all]").uncheck()
    assert not any(boxes.nth(i).is_checked() for i in range(boxes.count()))
    guard.check("cycle board select-all")

    # An indicator page's year select submits itself.
    guard.open(f"{base}/chi-so/tinh/{demo.pk}/chi-tieu/")
    years = page.locator("select[name=nam] option").all_inner_texts()
    other = next(y for y in years if y != str(year)) if len(years) > 1 else years[0]
    with page.expect_navigation():
        page.locator("select[name=nam]").select_option(other)
    assert f"nam={other}" in page.url
    guard.check("targets year")

    # A commune's register of late dossiers: the year select asks htmx for the list.
    commune = AdministrativeUnit.objects.get(era="current", name="Xã Nam Cửa Việt")
    guard.open(f"{base}/ho-so-tre-han/xa/{commune.pk}/")
    years = page.locator("#chon-nam option").all_inner_texts()
    if len(years) > 1:
        settled(page, lambda: page.locator("#chon-nam").select_option(years[-1]))
        guard.check("dossier year")


@pytest.mark.browser
def test_the_admin_site_satisfies_the_policy(page, live_server, demo, django_user_model):
    # The admin site is for operators (superusers): its login page, index, every list and the
    # first object's change form of each, their add forms (widgets: calendars, filters).
    django_user_model.objects.create_superuser("vanhanh", password=DEMO_PASSWORD)
    guard = Guard(page)
    guard.open(f"{live_server.url}/quan-tri/login/")
    page.fill("#id_username", "vanhanh")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url("**/quan-tri/")
    guard.check("admin login")
    visited = crawl(guard, live_server.url, ["/quan-tri/"], depth=2, admin=True)
    assert len(visited) > 30 and "admin:index" in visited and any(v.endswith("_change") for v in visited)


def test_every_response_carries_the_policy(client, db):
    response = client.get("/dang-nhap/")
    assert "Content-Security-Policy-Report-Only" not in response.headers
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in response.headers["Content-Security-Policy"].split(";")
    )
    assert directives == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }


ROOT = Path(__file__).resolve().parents[2]
# What the policy blocks, as it would be written in a template: a style attribute, an inline
# event handler (also htmx's hx-on), a javascript: URL, a <script> with code in it.
INLINE = re.compile(r"""\sstyle\s*=|\son[a-z]+\s*=|\shx-on|javascript:|<script(?![^>]*\ssrc=)[^>]*>""", re.IGNORECASE)


def test_templates_hold_nothing_the_policy_blocks():
    templates = [p for p in (ROOT / "templates").rglob("*.html")] + [
        p for p in (ROOT / "parindex").rglob("templates/**/*.html")
    ]
    assert len(templates) > 50
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()[:120]}"
        for path in templates
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if INLINE.search(re.sub(r"\{#.*?#\}", "", line))
    ]
    assert found == []

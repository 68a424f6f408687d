"""Deadline-day load: commune officers saving answers at once through gunicorn, on PostgreSQL.

Workload: the national data set of dashboard_bench (34 provinces, 3,321 communes, two
published years, an open 2026 cycle with the communes spread over the workflow states). The
app runs under gunicorn (``parindex.wsgi:application``, sync workers, 3 by default) on a free
loopback port with DEBUG off, as in production but over plain http. For each level (10, 50
and 100 officers by default), that many commune officers (one per field of the framework,
seven to a commune, over draft assessments of the open cycle in every province) save answers
through the page's own htmx POST (``assessments:answer-save``, with the HX-Request header, the
CSRF token of the page and the base revision the previous save returned), with no think time,
for ``--duration`` seconds; two province staff reload the largest province's dashboard in a
loop meanwhile. Each save changes the value (the inputs cycle, the explanation counts), so
each one writes an audit row. The sessions are created directly in the database (SessionStore
with the auth session keys; the login form and its django-axes throttling are not exercised);
each officer fetches its page once for the CSRF cookie and token before the clock starts.

The same level is also run against /bench/bare-save/ (bench/bare_urls.py, served by the same
gunicorn through bench/bench_settings.py): the same writes at the database level (the answer
row with the revision check and one AuditEntry, in a transaction) and nothing else, by the
same number of officers, the dashboards loading too. app ÷ bare is what the app costs above
its writes under load. The two alternate (``--rounds``, 3 by default: app, bare, app, bare ...,
each by officers of its own) and each side's runs are pooled: on a shared machine whose speed
drifts by a quarter within minutes, one app run followed by one bare run measured the drift as
much as the app (the same code gave 0.46× to 0.62×).

After each run the database is checked: every acknowledged save stored (the answer's revision
is 1 + the acknowledged updates, its text the last acknowledged one) with its audit row
(AuditEntry "answer"), nothing stored that was not acknowledged.

Last, in this process: one htmx save through django.test.Client against the bare ORM write of
the same row and audit row, ``--iterations`` times each, interleaved (medians), and the
queries of one htmx save.

    .venv/bin/python bench/deadline_load.py [--levels 10,50,100] [--duration 15] [--rounds 3] [--workers 3] [--quick]

The bench owns its database: without DATABASE_URL it is parindex_load on the local PostgreSQL.
The national data set is loaded once (about 2.5 minutes) and reused while it is there
(``--fresh`` reloads it); the bench's own users, answers and audit rows are reset at each run.
PostgreSQL only. ANALYZE runs after loading and after the bench's setup. Exits 1 when a save
was lost or an audit row is missing (``--check-targets``: also when a target of issue 19 is
not met).
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

from benchdb import analyze, create_postgres_database, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/parindex_load"
PREFIX = "bench-load-"
OPEN_YEAR = 2026  # dashboard_bench's open cycle
# Issue 19's figures before the work, and its targets.
TODAY = {10: (21, 0.67), 50: (28, 2.1), 100: (26, 4.0)}  # officers: saves/s, p95 s
TODAY_QUERIES, TODAY_RATIO = 20, 16.7
TARGET_QUERIES, TARGET_RATIO, TARGET_SPEEDUP, TARGET_P95, TARGET_BARE = 8, 6.0, 3.0, 1.0, 0.5
CONFLICT_TEXT = "vừa được người khác cập nhật"


def bench_environment(database_url: str) -> None:
    """Production settings over plain http on loopback, for this process and gunicorn alike."""
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "bench_settings",
            "DEBUG": "false",
            "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,testserver",
            # DEBUG off turns these on; the bench speaks http to 127.0.0.1.
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(BENCH_DIR), str(REPO), os.environ.get("PYTHONPATH")])),
        }
    )


# --- data ------------------------------------------------------------------------------------


def ensure_loaded(seed: int) -> None:
    """The national data set, loaded unless a complete one is there."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from parindex.assessments.models import Cycle
    from parindex.results.models import PublishedResult
    from parindex.units.models import AdministrativeUnit

    if PublishedResult.objects.exists() and Cycle.objects.filter(year=OPEN_YEAR).count() == 34:
        print("data:      national data set already loaded (reused; --fresh reloads it)")
        return
    if AdministrativeUnit.objects.exists():  # an interrupted load: start again
        connection.close()
        create_postgres_database(settings.DATABASES["default"], fresh=True)
        call_command("migrate", verbosity=0)
    import dashboard_bench

    started = time.perf_counter()
    dashboard_bench.load(random.Random(seed))  # ends with ANALYZE
    print(f"data:      national data set loaded in {time.perf_counter() - started:.0f} s")


@dataclass
class Leaf:
    code: str
    pk: int
    kind: str
    max_points: Decimal


@dataclass
class Officer:
    username: str
    user_pk: int
    assessment_pk: int
    field_code: str
    leaves: list[Leaf]
    session_key: str = ""


@dataclass
class Plan:
    province_pk: int
    province_name: str
    dashboard_sessions: list[str]
    groups: dict[str, list[Officer]]  # "warm-up", "app-10", "bare-10" ...
    single: Officer  # the in-process comparison's officer (the whole of one field)
    single_bare: Officer


def reset() -> None:
    """What an earlier run left: the bench's users, their assignments, answers and audit rows."""
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session

    from parindex.assessments.models import Answer, Assessment, Assignment, AuditEntry, DeadlineExtension

    users = get_user_model().objects.filter(username__startswith=PREFIX)
    touched = set(Assignment.objects.filter(official__in=users).values_list("assessment_id", flat=True))
    touched |= set(Answer.objects.filter(updated_by__in=users).values_list("assessment_id", flat=True))
    touched |= set(DeadlineExtension.objects.filter(reason__startswith=PREFIX).values_list("assessment_id", flat=True))
    touched = Assessment.objects.filter(pk__in=touched)
    AuditEntry.objects.filter(assessment__in=touched).delete()
    Answer.objects.filter(assessment__in=touched).delete()
    Assignment.objects.filter(assessment__in=touched).delete()
    DeadlineExtension.objects.filter(reason__startswith=PREFIX).delete()
    users.delete()  # their role assignments go with them
    Session.objects.all().delete()  # the bench's database: only the bench's sessions


def make_session(user) -> str:
    """A signed-in session for ``user``, as the login view would leave it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "parindex.accounts.backends.AccountBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def prepare(group_sizes: dict[str, int], dashboard_users: int) -> Plan:
    """Officers for every group over draft assessments of the open cycle, round robin over the
    provinces; each officer holds one field (Assignment of the field's node)."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from parindex.accounts.models import Role, RoleAssignment
    from parindex.assessments.models import Assessment, Assignment, DeadlineExtension, Stage
    from parindex.assessments.workflow import Status
    from parindex.frameworks.models import Criterion
    from parindex.units.models import AdministrativeUnit

    User = get_user_model()
    reset()
    drafts = list(
        Assessment.objects.filter(cycle__year=OPEN_YEAR, status=Status.DRAFT)
        .select_related("cycle", "unit")
        .order_by("cycle__province__code", "unit__code")
    )
    by_province: dict[int, list] = defaultdict(list)
    for assessment in drafts:
        by_province[assessment.cycle.province_id].append(assessment)
    queue = [a for row in zip(*by_province.values(), strict=False) for a in row]  # round robin
    version_id = drafts[0].cycle.framework_version_id
    fields = list(Criterion.objects.filter(version_id=version_id, parent=None).order_by("position"))
    leaves_of: dict[int, list[Leaf]] = defaultdict(list)
    by_pk = {c.pk: c for c in Criterion.objects.filter(version_id=version_id)}
    for criterion in sorted(by_pk.values(), key=lambda c: c.position):
        if not criterion.rule_kind:
            continue
        top = criterion
        while top.parent_id is not None:
            top = by_pk[top.parent_id]
        leaves_of[top.pk].append(Leaf(criterion.code, criterion.pk, criterion.rule_kind, criterion.max_points))
    today = timezone.localdate()
    groups: dict[str, list[Officer]] = {}
    with transaction.atomic():
        for name, size in [*group_sizes.items(), ("single", 2)]:
            officers = []
            for i in range(size):
                assessment = queue[(len(officers) // len(fields)) + sum_used(groups, len(fields))]
                field_node = fields[i % len(fields)]
                user = User.objects.create_user(
                    f"{PREFIX}{name}-{i:03d}", password=None, unit=assessment.unit, must_change_password=False
                )
                RoleAssignment.objects.create(user=user, role=Role.COMMUNE_OFFICER, unit=assessment.unit)
                Assignment.objects.create(assessment=assessment, criterion=field_node, official=user)
                if today > assessment.cycle.self_assessment_due:  # keep the window open whatever the date
                    DeadlineExtension.objects.get_or_create(
                        assessment=assessment, stage=Stage.SELF_ASSESSMENT,
                        defaults={"until": today + dt.timedelta(days=30), "reason": f"{PREFIX}open window"},
                    )  # fmt: skip
                officers.append(
                    Officer(user.username, user.pk, assessment.pk, field_node.code, leaves_of[field_node.pk])
                )
                officers[-1].session_key = make_session(user)
            groups[name] = officers
        counts = Counter(Assessment.objects.filter(cycle__year=OPEN_YEAR).values_list("cycle__province_id", flat=True))
        province = AdministrativeUnit.objects.get(pk=max(counts, key=lambda pk: (counts[pk], -pk)))
        dashboard_sessions = []
        for i in range(dashboard_users):
            user = User.objects.create_user(f"{PREFIX}province-{i}", password=None, unit=province)
            RoleAssignment.objects.create(user=user, role=Role.PROVINCE_ADMIN, unit=province, include_descendants=True)
            dashboard_sessions.append(make_session(user))
    single = groups.pop("single")
    analyze()
    return Plan(province.pk, province.name, dashboard_sessions, groups, single[0], single[1])


def sum_used(groups: dict[str, list[Officer]], per_commune: int) -> int:
    """Assessments taken by the groups made so far (each group starts on a commune of its own)."""
    return sum(math.ceil(len(officers) / per_commune) for officers in groups.values())


def form_inputs(leaf: Leaf, n: int) -> dict[str, str]:
    """Inputs of the leaf's rule kind that differ from save ``n - 1``'s."""
    if leaf.kind == "binary":
        return {"met": "true" if n % 2 else "false"}
    if leaf.kind in ("proportional", "tiered"):
        return {"value_percent": str(50 + n % 51)}
    if leaf.kind == "count":
        return {"count": str(n % 10)}
    if leaf.kind == "deduction":
        return {"count": str(n % 4)}
    if leaf.kind == "timeliness":
        return {"days_late": str(n % 20)}
    return {"score": str((leaf.max_points * (n % 10) / 10).quantize(Decimal("0.01")))}


# --- the HTTP side -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, workers: int, log: Path) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "gunicorn", "parindex.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "sync",
        "--chdir", str(REPO), "--pythonpath", f"{BENCH_DIR},{REPO}", "--timeout", "120",
        "--log-level", "warning", "--error-logfile", "-",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=os.environ.copy(), stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}); see {log}")
        try:
            status, _, _ = request(port, "GET", "/dang-nhap/", timeout=5)
            if status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.3)
    process.terminate()
    raise RuntimeError(f"gunicorn did not answer within 60 s; see {log}")


def stop_gunicorn(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def request(
    port: int, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None, timeout: float = 60
) -> tuple[int, bytes, list[tuple[str, str]]]:
    """One request on a new connection (gunicorn's sync workers close each one)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read(), response.getheaders()
    finally:
        connection.close()


def cookie_value(headers: list[tuple[str, str]], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == "set-cookie" and value.startswith(f"{name}="):
            return value.split(";", 1)[0].split("=", 1)[1]
    return None


TOKEN_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Save:
    officer: str
    assessment_pk: int
    code: str
    started: float
    seconds: float
    acked: bool
    explanation: str
    error: str = ""


@dataclass
class RunResult:
    saves: list[Save] = field(default_factory=list)
    dashboards: list[tuple[float, float, int]] = field(default_factory=list)  # started, seconds, status
    setup_errors: list[str] = field(default_factory=list)
    started: float = 0.0
    stop_at: float = 0.0
    ended: float = 0.0


def officer_client(
    port: int, officer: Officer, bare: bool, ready: threading.Barrier, clock: dict, out: RunResult, lock: threading.Lock
) -> None:
    cookie = f"sessionid={officer.session_key}"
    saves: list[Save] = []
    try:
        status, body, headers = request(
            port, "GET", f"/danh-gia/{officer.assessment_pk}/?linh-vuc={officer.field_code}", headers={"Cookie": cookie}
        )
        csrf_cookie, token = cookie_value(headers, "csrftoken"), TOKEN_RE.search(body)
        if status != 200 or not csrf_cookie or not token:
            raise RuntimeError(f"{officer.username}: the page answered {status} without a CSRF token")
    except Exception as exc:  # noqa: BLE001 - reported, the others go on
        with lock:
            out.setup_errors.append(str(exc))
        ready.wait()
        return
    headers = {
        "Cookie": f"{cookie}; csrftoken={csrf_cookie}",
        "HX-Request": "true",
        "HX-Target": "leaf-",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    token = token.group(1).decode()
    revisions: dict[str, str] = {}
    n = 0
    ready.wait()
    stop_at = clock["stop_at"]
    try:
        while time.perf_counter() < stop_at:
            leaf = officer.leaves[n % len(officer.leaves)]
            n += 1
            base = revisions.get(leaf.code, "")
            explanation = f"{officer.username} lần {n}"
            data = {
                "csrfmiddlewaretoken": token,
                "linh-vuc": officer.field_code,
                "tieu-chi": leaf.code,
                "revision": base,
                **form_inputs(leaf, n),
                "explanation": explanation,
            }
            if bare:
                path = f"/bench/bare-save/{officer.assessment_pk}/{leaf.pk}/"
            else:
                path = f"/danh-gia/{officer.assessment_pk}/tieu-chi/{leaf.code}/"
            headers["HX-Target"] = f"leaf-{leaf.code}"
            started = time.perf_counter()
            error = ""
            try:
                status, body, _ = request(
                    port, "POST", path, body=urllib.parse.urlencode(data).encode(), headers=headers
                )
            except (OSError, http.client.HTTPException) as exc:
                status, body, error = 0, b"", type(exc).__name__
            seconds = time.perf_counter() - started
            revision = None
            if status and not (200 <= status < 300):
                error = f"HTTP {status}"
            elif bare and status:
                revision = body.decode().strip()
            elif status:
                text = body.decode()
                row = text.find(f'id="leaf-{leaf.code}"')
                found = re.search(r'name="revision" value="(\d+)"', text[row:]) if row >= 0 else None
                revision = found.group(1) if found else None
                if CONFLICT_TEXT in text:
                    error = "conflict"
                elif 'class="ws-saved"' not in text:
                    alert = re.search(r'class="field-error" role="alert">([^<]*)<', text)
                    error = f"refused: {alert.group(1)[:80] if alert else 'no saved mark'}"
            if revision:
                revisions[leaf.code] = revision
            saves.append(
                Save(officer.username, officer.assessment_pk, leaf.code, started, seconds, not error,
                     explanation, error)
            )  # fmt: skip
    finally:  # what was sent is checked, even if this client failed
        with lock:
            out.saves.extend(saves)


def dashboard_client(port: int, session: str, province_pk: int, ready: threading.Barrier, clock: dict, out, lock):
    loads = []
    ready.wait()
    stop_at = clock["stop_at"]
    while time.perf_counter() < stop_at:
        started = time.perf_counter()
        try:
            status, _, _ = request(
                port, "GET", f"/bang-dieu-khien/tinh/{province_pk}/", headers={"Cookie": f"sessionid={session}"}
            )
        except (OSError, http.client.HTTPException):
            status = 0
        loads.append((started, time.perf_counter() - started, status))
    with lock:
        out.dashboards.extend(loads)


def run(port: int, officers: list[Officer], plan: Plan, duration: float, *, bare: bool) -> RunResult:
    """Every officer and the dashboard users at once for ``duration`` seconds after the pages are open."""
    out, lock = RunResult(), threading.Lock()
    clock: dict = {}

    def start_clock() -> None:  # run by the barrier once every page is open, before anyone goes on
        out.started = time.perf_counter()
        clock["stop_at"] = out.stop_at = out.started + duration

    ready = threading.Barrier(len(officers) + len(plan.dashboard_sessions), action=start_clock)
    threads = [
        threading.Thread(target=officer_client, args=(port, o, bare, ready, clock, out, lock)) for o in officers
    ] + [
        threading.Thread(target=dashboard_client, args=(port, s, plan.province_pk, ready, clock, out, lock))
        for s in plan.dashboard_sessions
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.ended = time.perf_counter()
    return out


# --- checking the database ----------------------------------------------------------------------


def verify(result: RunResult) -> dict[str, int]:
    """Compare what the clients were told with what is stored."""
    from parindex.assessments.models import Answer, AuditAction, AuditEntry

    acked: dict[tuple[int, str], list[Save]] = defaultdict(list)
    sent: Counter = Counter()
    for save in sorted(result.saves, key=lambda s: s.started):
        sent[(save.assessment_pk, save.code)] += 1
        if save.acked:
            acked[(save.assessment_pk, save.code)].append(save)
    assessments = {key[0] for key in sent}
    stored = {
        (a, code): (revision, explanation)
        for a, code, revision, explanation in Answer.objects.filter(assessment_id__in=assessments).values_list(
            "assessment_id", "criterion__code", "revision", "explanation"
        )
    }
    audits = Counter(
        AuditEntry.objects.filter(assessment_id__in=assessments, action=AuditAction.ANSWER).values_list(
            "assessment_id", "criterion__code"
        )
    )
    problems = Counter()
    for key in sent:
        saves = acked.get(key, [])
        revision, explanation = stored.get(key, (0, None))
        if saves:
            if revision < len(saves):
                problems["lost (fewer revisions than acknowledged saves)"] += len(saves) - revision
            if explanation != saves[-1].explanation:
                problems["overwritten (stored text is not the last acknowledged save)"] += 1
        if revision > len(saves):
            problems["stored but not acknowledged"] += revision - len(saves)
        if audits[key] < len(saves):
            problems["acknowledged save without its audit row"] += len(saves) - audits[key]
        if audits[key] > revision:
            problems["audit rows without a stored save"] += audits[key] - revision
    return dict(problems)


# --- the in-process comparison --------------------------------------------------------------------


def single_process(plan: Plan, iterations: int) -> dict:
    """One htmx save through django.test.Client against the bare ORM write of its row and audit row."""
    from bare_urls import stored_inputs
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.db.models import F
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from parindex.assessments.models import Answer, AuditAction, AuditEntry

    officer, other = plan.single, plan.single_bare
    app_leaf = officer.leaves[0]
    bare_leaf = next(leaf for leaf in other.leaves if leaf.code != app_leaf.code)
    client = Client()
    client.force_login(get_user_model().objects.get(pk=officer.user_pk), "parindex.accounts.backends.AccountBackend")
    url = reverse("assessments:answer-save", args=[officer.assessment_pk, app_leaf.code])
    state = {"app": "", "n": 0}

    def htmx_save() -> None:
        state["n"] += 1
        data = {"linh-vuc": officer.field_code, "tieu-chi": app_leaf.code, "revision": state["app"],
                "explanation": f"in-process {state['n']}", **form_inputs(app_leaf, state["n"])}  # fmt: skip
        # Form-encoded, as htmx sends the row's form (the test client's default is multipart).
        response = client.post(
            url, urllib.parse.urlencode(data), content_type="application/x-www-form-urlencoded",
            headers={"HX-Request": "true", "HX-Target": f"leaf-{app_leaf.code}"},
        )  # fmt: skip
        text = response.content.decode()
        found = re.search(r'name="revision" value="(\d+)"', text[text.find(f'id="leaf-{app_leaf.code}"') :])
        if response.status_code != 200 or 'class="ws-saved"' not in text or not found:
            raise RuntimeError(f"the in-process htmx save failed ({response.status_code})")
        state["app"] = found.group(1)

    Answer.objects.create(
        assessment_id=other.assessment_pk, criterion_id=bare_leaf.pk, inputs={}, updated_by_id=other.user_pk
    )
    bare_state = {"revision": 1, "n": 0}

    def bare_write() -> None:
        bare_state["n"] += 1
        inputs = stored_inputs(form_inputs(bare_leaf, bare_state["n"]))
        explanation = f"in-process {bare_state['n']}"
        with transaction.atomic():
            updated = Answer.objects.filter(
                assessment_id=other.assessment_pk, criterion_id=bare_leaf.pk, revision=bare_state["revision"]
            ).update(inputs=inputs, explanation=explanation, revision=F("revision") + 1, updated_by_id=other.user_pk,
                     updated_at=timezone.now())  # fmt: skip
            assert updated == 1
            AuditEntry.objects.create(
                assessment_id=other.assessment_pk, criterion_id=bare_leaf.pk, action=AuditAction.ANSWER,
                actor_id=other.user_pk, new={"inputs": inputs, "explanation": explanation},
            )  # fmt: skip
        bare_state["revision"] += 1

    htmx_save()  # the first answer (an INSERT); then updates, as the timed ones
    for _ in range(3):
        htmx_save()
        bare_write()
    with CaptureQueriesContext(connection) as captured:
        htmx_save()
    statements = [q["sql"] for q in captured.captured_queries]  # read now: the next request clears the log
    # Queries are the statements that read or write: the transaction's BEGIN and COMMIT are
    # listed (--show-queries) but not counted, as in the test that pins the count.
    queries = [sql for sql in statements if sql.split()[0] not in ("BEGIN", "COMMIT")]
    app_times, bare_times = [], []
    for _ in range(iterations):
        for fn, times in ((htmx_save, app_times), (bare_write, bare_times)):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
    return {
        "queries": len(queries),
        "statements": statements,
        "app_median": statistics.median(app_times),
        "app_mean": statistics.fmean(app_times),
        "bare_median": statistics.median(bare_times),
        "bare_mean": statistics.fmean(bare_times),
    }


# --- main --------------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


@dataclass
class Row:
    label: str
    officers: int
    saves: int
    rate: float
    p50: float
    p95: float
    p99: float
    errors: Counter
    dash_loads: int
    dash_rate: float
    dash_p95: float
    problems: dict


def summarise(label: str, officers: int, results: RunResult | list[RunResult], problems: dict) -> Row:
    """One run's figures, or several runs' pooled (saves and windows summed, latencies together)."""
    # Rates count what finished within the window (the requests still running at its end are
    # waited for and checked, but their tail, with fewer clients, would dilute the rate).
    results = [results] if isinstance(results, RunResult) else results
    window = max(sum(r.stop_at - r.started for r in results), 1e-9)
    done = [s for r in results for s in r.saves if s.acked and s.started + s.seconds <= r.stop_at]
    latencies = [s.seconds for r in results for s in r.saves]
    errors = Counter(s.error.split(":")[0] for r in results for s in r.saves if s.error)
    if setup_errors := sum(len(r.setup_errors) for r in results):
        errors["page not opened"] += setup_errors
    dash_ok = [d for r in results for d in r.dashboards if d[2] == 200 and d[0] + d[1] <= r.stop_at]
    errors.update(f"dashboard HTTP {d[2]}" for r in results for d in r.dashboards if d[2] != 200)
    return Row(
        label, officers, len(done), len(done) / window, percentile(latencies, 50), percentile(latencies, 95),
        percentile(latencies, 99), errors, len(dash_ok), len(dash_ok) / window,
        percentile([d[1] for d in dash_ok], 95), problems,
    )  # fmt: skip


def print_row(row: Row) -> None:
    errors = sum(row.errors.values())
    print(
        f"{row.label:<12}{row.officers:>9}{row.saves:>7}{row.rate:>9.1f}{row.p50:>8.2f}{row.p95:>8.2f}{row.p99:>8.2f}"
        f"{errors:>8}{sum(row.problems.values()):>6}{row.dash_loads:>7}{row.dash_rate:>8.2f}{row.dash_p95:>8.2f}"
    )
    if row.errors:
        print(f"{'':<10}errors: " + ", ".join(f"{k} ×{v}" for k, v in row.errors.most_common()))
    if row.problems:
        print(f"{'':<10}DATABASE CHECK: " + ", ".join(f"{k} ×{v}" for k, v in row.problems.items()))


HEADER = (
    f"{'run':<12}{'officers':>9}{'saves':>7}{'saves/s':>9}{'p50 s':>8}{'p95 s':>8}{'p99 s':>8}"
    f"{'errors':>8}{'lost':>6}{'dash':>7}{'dash/s':>8}{'dash p95':>9}"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="10,50,100", help="officers saving at once, one run each")
    parser.add_argument("--duration", type=float, default=15, help="seconds each run lasts")
    parser.add_argument(
        "--rounds", type=int, default=3,
        help="app and bare runs alternate this many times per level, each --duration long, the figures pooled "
             "(a shared machine's speed drifts within minutes: alternating puts both sides in the same conditions)",
    )  # fmt: skip
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--dashboard-users", type=int, default=2, help="province staff reloading the dashboard")
    parser.add_argument("--iterations", type=int, default=200, help="in-process saves of each side timed")
    parser.add_argument("--quick", action="store_true", help="about a minute: 5 s runs, 50 in-process iterations")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare endpoint's runs")
    parser.add_argument("--fresh", action="store_true", help="drop and reload the national data set")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--show-queries", action="store_true", help="print the statements of one htmx save")
    parser.add_argument("--check-targets", action="store_true", help="exit 1 when a target of issue 19 is not met")
    args = parser.parse_args()
    if args.quick:
        args.duration, args.iterations = min(args.duration, 5), min(args.iterations, 50)
    levels = [int(x) for x in args.levels.split(",") if x.strip()]
    began = time.perf_counter()

    bench_environment(os.environ.get("DATABASE_URL") or DEFAULT_URL)
    database = setup_django(fresh=args.fresh)
    from django.conf import settings

    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        print("deadline_load needs PostgreSQL: set DATABASE_URL=postgres://…")
        return 2
    print(f"database:  {database}")
    ensure_loaded(args.seed)
    sizes = {"warm-up": 7}
    rounds = max(1, args.rounds)
    for n in levels:
        for r in range(rounds):  # fresh officers for each run: each run's saves are checked on their own
            sizes[f"app-{n}-{r + 1}"] = n
            if not args.no_bare:
                sizes[f"bare-{n}-{r + 1}"] = n
    plan = prepare(sizes, args.dashboard_users)
    communes = len({o.assessment_pk for group in plan.groups.values() for o in group})
    print(
        f"officers:  {sum(levels)} (+7 warm-up) over {communes} draft communes of the {OPEN_YEAR} cycle, one field each "
        f"(sessions created directly in the database: SessionStore + auth keys, not the login form)"
    )
    print(f"dashboard: {args.dashboard_users} province admins reloading /bang-dieu-khien/tinh/{plan.province_pk}/ "
          f"({plan.province_name})")  # fmt: skip

    port = free_port()
    log = Path(f"/tmp/parindex-deadline-load-{port}.log")
    print(f"server:    gunicorn parindex.wsgi:application, {args.workers} sync workers, 127.0.0.1:{port}, DEBUG off "
          f"(log {log}); {os.cpu_count()} CPU cores, shared with whatever else runs")  # fmt: skip
    server = start_gunicorn(port, args.workers, log)
    rows: dict[str, Row] = {}
    failed = False
    try:
        warm = run(port, plan.groups["warm-up"], plan, min(3.0, args.duration), bare=False)
        warm_row = summarise("warm-up", 7, warm, verify(warm))
        failed |= bool(warm_row.problems)
        print(
            f"\neach run: {args.duration:.0f} s of saves with no think time, after every page is open; "
            f"app and bare alternate {rounds}× per level, then pooled\n{HEADER}"
        )
        print_row(warm_row)
        for n in levels:
            pooled: dict[str, tuple[list[RunResult], Counter]] = {}
            for r in range(rounds):
                for kind in ("app", "bare"):
                    if kind == "bare" and args.no_bare:
                        continue
                    label = f"{kind}-{n}-{r + 1}"
                    result = run(port, plan.groups[label], plan, args.duration, bare=kind == "bare")
                    row = summarise(label, n, result, verify(result))
                    failed |= bool(row.problems)
                    print_row(row)
                    results, problems = pooled.setdefault(kind, ([], Counter()))
                    results.append(result)
                    problems.update(row.problems)
            for kind, (results, problems) in pooled.items():
                rows[f"{kind}-{n}"] = summarise(f"{kind}-{n}", n, results, dict(problems))
                print_row(rows[f"{kind}-{n}"])
    finally:
        stop_gunicorn(server)

    print(
        f"\nin-process: one htmx save (django.test.Client) against the bare ORM write, {args.iterations}× each, interleaved"
    )
    single = single_process(plan, args.iterations)
    ratio = single["app_median"] / single["bare_median"]
    print(
        f"htmx save: {single['queries']} queries, median {single['app_median'] * 1000:.1f} ms (mean {single['app_mean'] * 1000:.1f})"
    )
    print(f"bare ORM:  median {single['bare_median'] * 1000:.1f} ms (mean {single['bare_mean'] * 1000:.1f})")
    print(
        f"ratio:     {ratio:.1f}× (issue 19 today: {TODAY_RATIO}×, {TODAY_QUERIES} queries; target ≤ {TARGET_RATIO:.0f}×, ≤ {TARGET_QUERIES} queries)"
    )
    if args.show_queries:
        for sql in single["statements"]:
            print(f"  {' '.join(sql.split())[:160]}")

    print(
        f"\nsummary (gunicorn {args.workers} sync workers, {rounds} runs of {args.duration:.0f} s a side, alternating, "
        f"{os.cpu_count()} shared cores)"
    )
    print(
        f"{'officers':>9}{'saves/s':>9}{'p95 s':>8}{'p99 s':>8}{'errors':>8}{'lost':>6}{'bare/s':>8}{'app/bare':>9}{'today/s':>9}{'today p95':>10}"
    )
    verdicts = []
    for n in levels:
        app = rows.get(f"app-{n}")
        bare = rows.get(f"bare-{n}")
        if app is None:
            continue
        today = TODAY.get(n)
        print(
            f"{n:>9}{app.rate:>9.1f}{app.p95:>8.2f}{app.p99:>8.2f}{sum(app.errors.values()):>8}{sum(app.problems.values()):>6}"
            f"{(bare.rate if bare else float('nan')):>8.1f}{(app.rate / bare.rate if bare and bare.rate else float('nan')):>8.2f}×"
            f"{(today[0] if today else float('nan')):>9.0f}{(today[1] if today else float('nan')):>10.2f}"
        )
        if n == max(levels) and n in TODAY:
            verdicts += [
                (
                    f"{n} officers: saves/s ≥ {TARGET_SPEEDUP:.0f}× today ({TARGET_SPEEDUP * TODAY[n][0]:.0f})",
                    app.rate >= TARGET_SPEEDUP * TODAY[n][0],
                ),
                (f"{n} officers: p95 ≤ {TARGET_P95:.0f} s", app.p95 <= TARGET_P95),
                (f"{n} officers: 0 errors", not app.errors),
            ]
            if bare:
                verdicts.append(
                    (f"{n} officers: app ≥ {TARGET_BARE} of bare saves/s", app.rate >= TARGET_BARE * bare.rate)
                )
    verdicts += [
        ("0 lost, every acknowledged save stored with its audit row", not failed),
        (f"htmx save ≤ {TARGET_QUERIES} queries", single["queries"] <= TARGET_QUERIES),
        (f"htmx save ≤ {TARGET_RATIO:.0f}× the bare ORM write", ratio <= TARGET_RATIO),
    ]  # fmt: skip
    for text, ok in verdicts:
        print(f"  {'met    ' if ok else 'NOT met'}  {text}")
    print(f"total time: {time.perf_counter() - began:.0f} s")
    if failed:
        return 1
    if args.check_targets and not all(ok for _, ok in verdicts):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

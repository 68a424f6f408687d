"""``make serve`` (``parindex serve``) as an operator runs it: refused with DEBUG on or without a
secret key; otherwise migrate, collectstatic, gunicorn and the job worker, /healthz/ 200, the
hashed CSS served compressed with a year's cache, Vietnamese error pages, and a clean stop on
SIGTERM. Runs the real command in a child process against a fresh SQLite database."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DEBUG="false",
        SECRET_KEY="s" * 64,
        ALLOWED_HOSTS="127.0.0.1",
        SQLITE_PATH=str(tmp_path / "db.sqlite3"),
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        SECURE_SSL_REDIRECT="false",
        WEB_WORKERS="2",
    )
    env.update(extra)
    return env


def parindex(*args: str, env: dict[str, str], cwd: Path, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "parindex.cli", *args], env=env, cwd=cwd, capture_output=True, text=True, **kwargs
    )


def test_it_refuses_debug(tmp_path):
    done = parindex("serve", env=base_env(tmp_path, DEBUG="true"), cwd=tmp_path, timeout=60)
    assert done.returncode != 0 and "DEBUG đang bật" in done.stderr
    assert not (tmp_path / "db.sqlite3").exists()  # nothing migrated


def test_it_refuses_to_start_without_a_secret_key(tmp_path):
    env = base_env(tmp_path)
    del env["SECRET_KEY"]
    done = parindex("serve", env=env, cwd=tmp_path, timeout=60)
    assert done.returncode != 0 and "SECRET_KEY" in done.stderr and "Traceback" not in done.stderr


def test_a_dotenv_file_fills_what_the_environment_does_not_set(tmp_path):
    env = base_env(tmp_path)
    del env["SECRET_KEY"]
    (tmp_path / ".env").write_text("SECRET_KEY=" + "e" * 64 + "\nDEBUG=true\n", encoding="utf-8")
    show = "from django.conf import settings; print(settings.SECRET_KEY[:4], settings.DEBUG)"
    done = parindex("shell", "-c", show, env=env, cwd=tmp_path, timeout=60)
    assert done.stdout.splitlines()[-1].split() == ["eeee", "False"], (
        done.stderr
    )  # the key from .env; DEBUG from the environment


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, **headers: str):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def start_serve(env: dict[str, str], cwd: Path, **popen) -> subprocess.Popen:
    """``parindex serve`` in a child process (its output captured unless ``popen`` says otherwise)."""
    popen.setdefault("stdout", subprocess.PIPE)
    popen.setdefault("stderr", subprocess.STDOUT)
    return subprocess.Popen([sys.executable, "-m", "parindex.cli", "serve"], env=env, cwd=cwd, text=True, **popen)


def wait_healthy(base: str, server: subprocess.Popen, seconds: float = 120) -> tuple[int | None, bytes]:
    """/healthz/'s status and body once it answers (None when the server stopped or time ran out)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            status, _, body = get(f"{base}/healthz/")
            return status, body
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    return None, b""


def test_it_serves_with_gunicorn_and_stops_cleanly(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = base_env(tmp_path, HOST=f"127.0.0.1:{port}")
    server = start_serve(env, tmp_path)
    lines: list[str] = []  # its output, read as it comes (the job worker's start is awaited below)
    reader = threading.Thread(target=lambda: lines.extend(server.stdout), daemon=True)
    reader.start()
    try:
        status, body = wait_healthy(base, server)
        assert status == 200, "".join(lines) if server.poll() is not None else "no answer"
        health = json.loads(body)
        assert health["ok"] and set(health) == {"ok", "database", "storage", "queue"}
        assert "waiting" in health["queue"]  # the database queue, with its worker

        status, headers, body = get(f"{base}/dang-nhap/")
        assert status == 200 and headers["Server"] == "gunicorn"
        assert "Content-Security-Policy" in headers and headers["X-Frame-Options"] == "DENY"
        css = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', body.decode()).group(1)
        status, headers, body = get(base + css, **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert "immutable" in headers["Cache-Control"] and "max-age=315360000" in headers["Cache-Control"]

        status, _, body = get(f"{base}/khong-co-trang-nay/")
        assert status == 404 and "Không tìm thấy" in body.decode() and "Traceback" not in body.decode()
        # The job worker starts beside gunicorn; on a busy machine it may still be importing
        # Django when the pages above have answered: stopping before it has started would
        # test nothing of its stop.
        deadline = time.monotonic() + 60
        while not any("Starting worker" in line for line in lines) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
        reader.join(timeout=10)
    output = "".join(lines)
    assert server.returncode == 0, output
    assert "parindex: đã dừng" in output and "Starting worker" in output
    assert "nhắc hạn hằng ngày, lần tới lúc 07:00" in output  # the daily reminders queued, no cron
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        get(f"{base}/healthz/")


def test_gunicorn_and_the_worker_do_not_outlive_a_killed_serve(tmp_path):
    """SIGKILL cannot be handled: the children are told by the kernel (PR_SET_PDEATHSIG)."""
    port = free_port()
    env = base_env(tmp_path, HOST=f"127.0.0.1:{port}")
    server = start_serve(env, tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert wait_healthy(f"http://127.0.0.1:{port}", server)[0] == 200
    server.kill()
    server.wait(timeout=10)
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        try:
            get(f"http://127.0.0.1:{port}/healthz/")
        except (urllib.error.URLError, ConnectionError):
            break
        time.sleep(0.5)
    else:
        pytest.fail("gunicorn still answers after serve was killed")
    deadline = time.monotonic() + 30  # the workers finish their shutdown after the port closes
    while subprocess.run(["pgrep", "-f", f"127.0.0.1:{port}"], capture_output=True).returncode == 0:
        assert time.monotonic() < deadline, "gunicorn's processes outlived serve"
        time.sleep(0.5)

"""``parindex serve`` (``make serve``): the production start on one machine.

Refuses to start with DEBUG on (the settings already refuse a missing SECRET_KEY then), runs
``migrate`` and ``collectstatic``, then starts gunicorn (``parindex.wsgi``; WEB_WORKERS and
WEB_THREADS, bound to HOST, default 127.0.0.1:8000) and the job worker (``db_worker``), and
stops both cleanly on SIGTERM or SIGINT (each gets SIGTERM and finishes what it is doing). If
one of them stops on its own, the other is stopped too and the exit status says so, so that
systemd or a container runtime restarts the whole. Never loads demo data.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from parindex.core.signals import serve_starting
from parindex.env import env_int, env_str

GRACE = 30  # seconds each process has to finish after SIGTERM


def _die_with_parent() -> None:
    """In the child, before it runs: SIGTERM when ``serve`` itself dies, even by SIGKILL (Linux's
    PR_SET_PDEATHSIG), so that gunicorn and the worker never outlive it."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG


class Command(BaseCommand):
    help = "Chạy parindex cho môi trường thật: migrate, collectstatic, gunicorn và tiến trình chạy việc nền."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.DEBUG:
            raise CommandError(
                "DEBUG đang bật: make serve chỉ chạy với DEBUG=false (dùng make run để thử trên máy cá nhân)."
            )
        if settings.TASKS_BACKEND != "database":
            raise CommandError("make serve cần TASKS_BACKEND=database (việc nền do tiến trình riêng chạy).")
        host = env_str("HOST", "127.0.0.1:8000")
        workers = env_int("WEB_WORKERS", 2 * (os.cpu_count() or 1) + 1)
        threads = env_int("WEB_THREADS", 1)
        call_command("migrate", interactive=False, verbosity=1)
        call_command("collectstatic", interactive=False, verbosity=0)
        for _receiver, said in serve_starting.send(sender=self.__class__):  # the apps' scheduled jobs
            if said:
                self.stdout.write(f"parindex: {said}")
        self.stdout.write(
            f"parindex: gunicorn trên {host} ({workers} tiến trình × {threads} luồng) và 1 tiến trình việc nền"
        )
        web = [
            sys.executable, "-m", "gunicorn", "parindex.wsgi:application",
            "--bind", host, "--workers", str(workers), "--threads", str(threads),
            "--graceful-timeout", str(GRACE), "--error-logfile", "-",  # requests: core/request_log.py
        ]  # fmt: skip
        worker = [sys.executable, "-m", "parindex.cli", "db_worker", "--interval", "1"]
        children = [
            subprocess.Popen(web, preexec_fn=_die_with_parent),
            subprocess.Popen(worker, preexec_fn=_die_with_parent),
        ]
        stopping: list[int] = []

        def stop(signum: int, frame: Any) -> None:
            stopping.append(signum)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.2)
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + GRACE + 5
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if not stopping:
            gone = next(c for c in children if c.returncode is not None)
            raise CommandError(f"một tiến trình đã dừng (mã {gone.returncode}): dừng cả parindex để khởi động lại")
        self.stdout.write("parindex: đã dừng")

"""Checking and rendering a province's own template in a child process, with time and memory limits.

A province admin's template is untrusted code: Jinja's sandbox (``sandbox.py``) stops it
reaching Python and caps the obvious costs, but a loop can still run for hours and a string can
still grow to gigabytes. So ``render_bounded`` renders it in a child that may run at most
``timeout_s`` seconds (wall clock; the parent then kills the child's whole process group) and use
at most ``max_mb`` MB of address space (``RLIMIT_AS``, set by the child itself before it reads the
template, with an ``RLIMIT_CPU`` backstop should the parent die first). What exceeds them is
refused with a Vietnamese ``TemplateRefused``, like any other bad template.

Why a fresh interpreter (``subprocess`` running ``python -m parindex.documents.bounded``) rather
than ``multiprocessing``:

- nothing of the web worker comes along: no Django settings, no database connection, no threads
  or locks, no secrets (the child's environment holds the PATH and the import path only). ``fork``
  would copy all of it; "spawn" and "forkserver" re-import the parent's ``__main__`` (the web
  server's or pytest's) and exchange pickles.
- the answer is bytes and an exit code, never a pickle: the child has just run untrusted code,
  so the parent must not build objects from what it sends back.
- the limits are two ``setrlimit`` calls and a ``killpg``, easy to see and to test.

The cost is one interpreter start with docxtpl's imports (about 0.3 s), paid only for a
province's template: the built-in ones (our own files) keep rendering in-process.

Protocol: the child reads JSON ``{"template": base64, "context": {...}}`` on stdin and exits
with 0 and the .docx on stdout, 2 and a Vietnamese refusal (UTF-8) on stdout, or 3 when memory
ran out. Only ``render.py``'s pure code is imported here: no Django in the child.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import math
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from parindex.core.numbers import comma
from parindex.documents import render
from parindex.documents.render import TemplateRefused

MODULE = "parindex.documents.bounded"
ROOT = Path(__file__).resolve().parents[2]  # the directory holding the parindex package
OUTPUT_MAX_BYTES = 20 * 1024 * 1024
EXIT_REFUSED = 2
EXIT_MEMORY = 3

logger = logging.getLogger(__name__)


def time_message(timeout_s: float) -> str:
    seconds = comma(f"{timeout_s:g}")
    return f"Mẫu văn bản chạy quá {seconds} giây nên đã bị dừng; hãy đơn giản hoá vòng lặp trong mẫu."


def memory_message(max_mb: int) -> str:
    return (
        f"Mẫu văn bản dùng quá {max_mb} MB bộ nhớ nên đã bị dừng; "
        "hãy đơn giản hoá mẫu (bớt vòng lặp, bớt chuỗi dài ghép nhiều lần)."
    )


def render_bounded(template: bytes, context: dict[str, Any], *, timeout_s: float, max_mb: int) -> bytes:
    """``render.render_docx`` in a child limited to ``timeout_s`` seconds and ``max_mb`` MB.

    Raises TemplateRefused (the template's fault, with the reason), RuntimeError when the child
    could not run at all (the server's fault).
    """
    request = json.dumps({"template": base64.b64encode(template).decode("ascii"), "context": context})
    cpu_s = math.ceil(timeout_s) + 1
    child = subprocess.Popen(
        [sys.executable, "-m", MODULE, str(max_mb), str(cpu_s)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=_child_env(),
        start_new_session=True,  # its own process group, killed as a whole
    )
    try:
        out, err = child.communicate(request.encode(), timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _kill(child)
        raise TemplateRefused(time_message(timeout_s)) from None
    except BaseException:
        _kill(child)
        raise
    code = child.returncode
    if code == 0 and out.startswith(b"PK"):
        return out
    if code == EXIT_REFUSED:
        raise TemplateRefused(out.decode("utf-8", "replace")[:1000])
    if code == -signal.SIGXCPU:
        raise TemplateRefused(time_message(timeout_s))
    if code == EXIT_MEMORY or code < 0 or b"MemoryError" in err:
        # MemoryError under RLIMIT_AS, or killed by a signal (the kernel's OOM killer, an
        # allocation that failed inside C code): both are the template asking for too much.
        logger.info("template renderer stopped (exit %s): %s", code, err[-500:])
        raise TemplateRefused(memory_message(max_mb))
    logger.error("template renderer failed (exit %s): %s", code, err[-2000:].decode("utf-8", "replace"))
    raise RuntimeError(f"Không chạy được tiến trình kiểm tra mẫu văn bản (mã {code}).")


def _child_env() -> dict[str, str]:
    """Only what the interpreter needs: the parent's import path, no settings, no secrets."""
    return {
        "PATH": os.environ.get("PATH", os.defpath),
        "PYTHONPATH": os.pathsep.join(os.path.abspath(p) for p in sys.path if p),
        "LC_ALL": "C.UTF-8",
    }


def _kill(child: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(child.pid, signal.SIGKILL)
    child.communicate()


def main(argv: list[str]) -> int:
    """The child: set the limits, render, answer on stdout with an exit code."""
    max_bytes = int(argv[1]) * 1024 * 1024
    cpu_s = int(argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
    out = sys.stdout.buffer
    try:
        request = json.loads(sys.stdin.buffer.read())
        data = render.render_docx(base64.b64decode(request["template"]), request["context"])
        if len(data) > OUTPUT_MAX_BYTES:
            raise TemplateRefused("Văn bản tạo ra từ mẫu quá lớn (quá 20 MB) nên đã bị từ chối.")
    except MemoryError:
        return EXIT_MEMORY
    except TemplateRefused as exc:
        out.write(str(exc).encode())
        return EXIT_REFUSED
    except Exception as exc:  # whatever else an untrusted template provokes is a refusal, not a crash
        out.write(f"Mẫu văn bản không dùng được ({type(exc).__name__}).".encode())
        return EXIT_REFUSED
    out.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

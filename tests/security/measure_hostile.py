"""Wall time and the renderer's peak memory for each hostile template (security issue #17).

    .venv/bin/python tests/security/measure_hostile.py [case ...]

Each case runs ``services.template_check`` (what the upload page runs) in a fresh interpreter
with the settings' limits (DOCUMENT_RENDER_TIMEOUT_S, DOCUMENT_RENDER_MAX_MB from the
environment), so ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` there is the render child's own peak.
Prints a Markdown table. The acceptance: no case over 15 s or 600 MB.
"""

from __future__ import annotations

import json
import subprocess
import sys

from parindex.documents.tests import hostile

HARNESS = """
import json, os, resource, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.settings")
import django
django.setup()
from django.core.exceptions import ValidationError
from parindex.documents import services
data = sys.stdin.buffer.read()
started = time.monotonic()
try:
    services.template_check(data, "conclusion_notice")
    answer = "(accepted)"
except ValidationError as exc:
    answer = " ".join(exc.messages)
print(json.dumps({"s": time.monotonic() - started, "mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, "answer": answer}))
"""


def main(names: list[str]) -> None:
    print("| case | file | wall time | child peak RSS | answer |\n|---|---:|---:|---:|---|")
    for name in names or list(hostile.CASES):
        data = hostile.CASES[name][0]()
        run = subprocess.run([sys.executable, "-c", HARNESS], input=data, capture_output=True, timeout=120)
        result = json.loads(run.stdout.decode().strip().splitlines()[-1])
        print(
            f"| {name} | {len(data) / 1024:.0f} kB | {result['s']:.2f} s | {result['mb']:.0f} MB | {result['answer']} |"
        )


if __name__ == "__main__":
    main(sys.argv[1:])

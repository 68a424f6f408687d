"""Render every official document from the demo data, then to PDF (LibreOffice) and PNG (pdftoppm).

    .venv/bin/python docs/document_screenshots.py [--out docs/screenshots/documents] [--dpi 70]

It loads the demo (``seed_demo``) into a throwaway SQLite database, draws each document from
its real source exactly as the pages do (the heading defaults of the form, the built-in
templates), and writes ``<kind>.pdf`` with ``<kind>-first.png`` and ``<kind>-last.png`` (the header, and the
signature with what precedes it) so a person can look at them. Needs LibreOffice (``apt-get install libreoffice-writer-nogui``) and
poppler-utils (``pdftoppm``); it writes nothing to the demo's own database.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots" / "documents")
    parser.add_argument("--dpi", type=int, default=70)
    args = parser.parse_args()
    if shutil.which("pdftoppm") is None:
        print("pdftoppm is missing: apt-get install poppler-utils", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="parindex-docs-"))
    os.environ.update(
        {
            "DATABASE_URL": f"sqlite:///{work / 'demo.sqlite3'}",
            "MEDIA_ROOT": str(work / "media"),
            "DEBUG": "true",
            "DJANGO_SETTINGS_MODULE": "parindex.settings",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from parindex.documents import builtin, defaults, render, selectors, services
    from parindex.documents.models import Kind
    from parindex.remediation.models import Plan
    from parindex.results.models import Publication

    if render.soffice() is None:
        print("LibreOffice is missing: apt-get install libreoffice-writer-nogui", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)

    from django.db.models import Count

    # The demo's fullest plan (Xã Nam Cửa Việt's), for documents with something in every section.
    plan = (
        Plan.objects.select_related("unit")
        .exclude(status="draft")
        .annotate(n=Count("actions"))
        .order_by("-n", "unit__name")
        .first()
    )
    publication = Publication.objects.filter(is_current=True).order_by("-year").first()
    assessment = plan.unit.assessments.order_by("-cycle__year").first()
    sources = {
        Kind.DECISION: publication.pk,
        Kind.REMEDIATION_LETTER: plan.pk,
        Kind.REMEDIATION_PLAN: plan.pk,
        Kind.CONCLUSION_NOTICE: plan.pk,
        Kind.REMEDIATION_REPORT: plan.pk,
        Kind.CCHC_REPORT: assessment.pk,
        Kind.DIRECTIVE: assessment.pk,
        Kind.BROADCAST: plan.pk,
    }
    from parindex.accounts.permissions import Principal

    everyone = Principal(user_id=0, is_superuser=True)
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*"):
        old.unlink()
    for kind, pk in sources.items():
        source = selectors.source_for(everyone, kind, pk)
        heading = defaults.heading_of(defaults.heading_initial(source, kind))
        extra = {
            "meeting_date": heading.date,
            "participants": "lãnh đạo UBND xã, các công chức chuyên môn",
            "month": heading.date.month,
            "period": "half",
        }
        context = services.document_context(source, heading, extra)
        docx = render.render_docx(builtin.builtin_path(kind).read_bytes(), context)
        pdf = args.out / f"{kind}.pdf"
        pdf.write_bytes(render.docx_to_pdf(docx))
        info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
        count = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
        # The first and the last page of each kind (where the header and the signature are).
        for name, page in (("first", 1), ("last", count)):
            subprocess.run(
                ["pdftoppm", "-r", str(args.dpi), "-png", "-f", str(page), "-l", str(page), "-singlefile",
                 str(pdf), str(args.out / f"{kind}-{name}")],
                check=True,
            )  # fmt: skip
        print(f"{kind}: {count} page(s) from {source.unit.name}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

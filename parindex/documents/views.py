"""Document pages: fill in the heading and render a document, the register, downloads, a province's templates.

Access: a source (publication, plan, assessment) answers 404 to whoever may not see it and
403 to those who may see but not issue; a refused form is shown again with what was typed
and a Vietnamese message, and nothing is stored.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parindex.accounts.permissions import Principal
from parindex.accounts.selectors import principal_for
from parindex.core.downloads import DOCX, PDF, attachment, open_stored
from parindex.core.filenames import download_name
from parindex.core.paging import paginate
from parindex.documents import builtin, defaults, selectors, services
from parindex.documents import render as renderer
from parindex.documents.forms import (
    ADDRESSED,
    ExtraForm,
    HeadingForm,
    RegisterFilterForm,
    RegisterNumberForm,
    TemplateUploadForm,
)
from parindex.documents.models import DocumentTemplate, Kind, PdfRendition
from parindex.results.permissions import can_publish
from parindex.units.models import AdministrativeUnit


def _extra_fields(source: selectors.Source) -> list[tuple[str, str]]:
    if source.kind != Kind.CCHC_REPORT:
        return []
    return [(n.code, n.name) for n in selectors.spec_of(source).roots]


def _back_link(source: selectors.Source) -> tuple[str, str]:
    if source.plan is not None:
        return reverse("remediation:plan-detail", args=[source.plan.pk]), source.plan.title
    if source.publication is not None:
        return reverse("results:publication-detail", args=[source.publication.pk]), (
            f"Kết quả công bố năm {source.publication.year}"
        )
    assert source.assessment is not None
    return reverse("assessments:assessment-detail", args=[source.assessment.pk]), (
        f"Hồ sơ đánh giá năm {source.assessment.cycle.year}"
    )


def _source(request: HttpRequest, kind: str, pk: int) -> tuple[selectors.Source, Principal]:
    if kind not in Kind.values:
        raise Http404("Không có loại văn bản này")
    principal = principal_for(request.user)
    return selectors.source_for(principal, kind, pk), principal


@login_required
@require_http_methods(["GET", "POST"])
def document_new(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    source, principal = _source(request, kind, pk)
    if not selectors.may_issue(principal, source):
        raise PermissionDenied(services.NO_ISSUE)
    fields = _extra_fields(source)
    if request.method == "POST":
        form = HeadingForm(request.POST, kind=kind)
        extra = ExtraForm(request.POST, kind=kind, fields=fields)
        if form.is_valid() and extra.is_valid():
            try:
                doc = services.document_issue(
                    source=source, heading=form.heading(), extra=extra.values(), actor=request.user, principal=principal
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Đã tạo văn bản số {doc}. Tải về để trình ký.")
                return redirect("documents:issued-detail", pk=doc.pk)
    else:
        form = HeadingForm(initial=defaults.heading_initial(source, kind), kind=kind)
        extra = ExtraForm(kind=kind, fields=fields)
    back_url, back_label = _back_link(source)
    template = selectors.active_template(source.province.pk if source.province else None, kind)
    return render(
        request,
        "documents/document_new.html",
        {
            "form": form,
            "extra": extra,
            "kind": kind,
            "kind_label": Kind(kind).label,
            "source": source,
            "back_url": back_url,
            "back_label": back_label,
            "own_template": template,
            "addressed": kind in ADDRESSED,
        },
    )


@login_required
@require_GET
def issued_detail(request: HttpRequest, pk: int) -> HttpResponse:
    doc = selectors.issued_for(principal_for(request.user), pk)
    return render(request, "documents/issued_detail.html", _pdf_context(doc) | {"heading": doc.heading})


def _pdf_context(doc: Any) -> dict[str, Any]:
    return {
        "doc": doc,
        "pdf": renderer.soffice() is not None,
        "rendition": PdfRendition.objects.filter(docx_sha256=doc.sha256).first(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def issued_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: ask for the document's PDF (made by the job worker, or made already); GET: where it
    stands, the part of the page that polls until it is ready (htmx)."""
    doc = selectors.issued_for(principal_for(request.user), pk)
    if request.method == "POST":
        if renderer.soffice() is None:
            messages.error(request, "Máy chủ chưa cài LibreOffice nên chưa xuất được PDF; hãy tải bản Word.")
        else:
            services.pdf_request(doc=doc)
        if not request.htmx:
            return redirect("documents:issued-detail", pk=doc.pk)
    return render(request, "documents/issued_detail.html#pdf-status", _pdf_context(doc))


# The start of a downloaded document's name: its kind as an office would file it.
FILE_NAMES = {
    Kind.DECISION: "QD-cong-bo-chi-so-CCHC",
    Kind.REMEDIATION_LETTER: "CV-khac-phuc-chi-so-CCHC",
    Kind.REMEDIATION_PLAN: "KH-khac-phuc-chi-so-CCHC",
    Kind.CONCLUSION_NOTICE: "TB-ket-luan-chi-so-CCHC",
    Kind.CCHC_REPORT: "BC-ket-qua-CCHC",
    Kind.REMEDIATION_REPORT: "BC-ket-qua-khac-phuc-chi-so-CCHC",
    Kind.DIRECTIVE: "CT-nhiem-vu-CCHC",
    Kind.BROADCAST: "Bai-tuyen-truyen-CCHC",
}


def _file_name(doc: Any, suffix: str) -> str:
    """The name a document downloads under, "KH-khac-phuc-chi-so-CCHC-2025-xa-nam-cua-viet-so-45.docx":
    the kind, the year its subject names (the results'; a CCHC report's own, with its period),
    the body, the number."""
    if doc.publication_id:
        year, period = doc.publication.year, ""
    elif doc.plan_id:
        year, period = doc.plan.assessed_year, ""
    else:
        year = doc.assessment.cycle.year if doc.assessment_id else doc.year
        period = {"half": "6-thang", "year": "nam"}.get((doc.extra or {}).get("period"), "")
    number = f"so-{doc.number:02d}" if doc.number is not None else "chua-so"
    return download_name(FILE_NAMES.get(doc.kind, doc.kind), period, year, doc.unit.name, number, suffix=suffix)


@login_required
@require_GET
def issued_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The .docx as issued; ``?dinh-dang=pdf`` converts it with LibreOffice when installed."""
    doc = selectors.issued_for(principal_for(request.user), pk)
    if request.GET.get("dinh-dang") == "pdf":
        rendition = PdfRendition.objects.filter(docx_sha256=doc.sha256, state=PdfRendition.State.DONE).first()
        if rendition is None:
            messages.info(request, "Bản PDF chưa có: bấm “Tạo bản PDF”, rồi tải khi đã tạo xong.")
            return redirect("documents:issued-detail", pk=doc.pk)
        return FileResponse(
            open_stored(rendition.file), as_attachment=True, filename=_file_name(doc, "pdf"), content_type=PDF
        )
    return FileResponse(open_stored(doc.file), as_attachment=True, filename=_file_name(doc, "docx"), content_type=DOCX)


def _unit_or_404(pk: int) -> AdministrativeUnit:
    unit = AdministrativeUnit.objects.select_related("province").filter(pk=pk).first()
    if unit is None:
        raise Http404("Không tìm thấy đơn vị")
    return unit


@login_required
@require_GET
def register(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """The unit's register of documents produced here (sổ văn bản), newest first, 50 a page,
    searched by number, subject or signer and filtered by kind and year."""
    unit = _unit_or_404(unit_pk)
    if not selectors.may_see_register(principal_for(request.user), unit):
        raise Http404("Không tìm thấy đơn vị")
    per_year = selectors.register_years(unit)
    form = RegisterFilterForm(request.GET or None, years=list(per_year))
    filters = form.filters()
    # Counted by year already: no COUNT query of the paginator's, unless searched or of one kind.
    count = per_year.get(filters["year"], 0) if "year" in filters else sum(per_year.values())
    if {"q", "kind"} & set(filters):
        count = None
    page = paginate(request, selectors.register_of(unit, **filters), count=count)
    principal = principal_for(request.user)
    return render(
        request,
        "documents/register.html",
        {"unit": unit, "page": page, "form": form, "filtered": bool(filters)} | _numbers_context(unit, principal),
    )


def _numbers_context(unit: AdministrativeUnit, principal: Principal, form: RegisterNumberForm | None = None):
    year = timezone.localdate().year
    may = services.may_number(principal, unit)
    return {
        "year": year,
        "next_numbers": selectors.register_next(unit, year) if may else {},
        "number_form": form or RegisterNumberForm(initial={"year": year}),
        "may_number": may,
    }


@login_required
@require_POST
def register_number(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """Set the next number of a symbol in the body's register (documents numbered outside parindex)."""
    unit = _unit_or_404(unit_pk)
    principal = principal_for(request.user)
    if not selectors.may_see_register(principal, unit):
        raise Http404("Không tìm thấy đơn vị")
    if not services.may_number(principal, unit):
        raise PermissionDenied("Chỉ người được tạo văn bản của cơ quan được đặt số tiếp theo trong sổ văn bản.")
    form = RegisterNumberForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.register_number_set(
                unit=unit,
                year=d["year"],
                symbol=d["symbol"],
                next_number=d["next_number"],
                actor=request.user,
                principal=principal,
            )
        except ValidationError as exc:
            form.add_error("next_number", exc)
        else:
            messages.success(request, f"Số tiếp theo của {d['symbol']} năm {d['year']} là {d['next_number']:02d}.")
            return redirect("documents:register", unit_pk=unit.pk)
    per_year = selectors.register_years(unit)
    page = paginate(request, selectors.register_of(unit), count=sum(per_year.values()))
    return render(
        request,
        "documents/register.html",
        {"unit": unit, "page": page, "form": RegisterFilterForm(years=list(per_year)), "filtered": False}
        | _numbers_context(unit, principal, form),
        status=400,
    )


# -- a province's own templates ---------------------------------------------------------------------


def _province_for_templates(request: HttpRequest, province_pk: int) -> tuple[AdministrativeUnit, Principal]:
    principal = principal_for(request.user)
    province = _unit_or_404(province_pk)
    if not province.is_province or not can_publish(principal, province):
        raise Http404("Không tìm thấy tỉnh")
    return province, principal


def _template_page(
    request: HttpRequest, province: AdministrativeUnit, form: TemplateUploadForm, status: int = 200
) -> HttpResponse:
    own = {t.kind: t for t in DocumentTemplate.objects.filter(province=province, is_active=True)}
    rows = [(value, label, own.get(value)) for value, label in Kind.choices]
    return render(
        request,
        "documents/template_list.html",
        {"province": province, "rows": rows, "form": form},
        status=status,
    )


@login_required
@require_GET
def template_list(request: HttpRequest, province_pk: int) -> HttpResponse:
    province, _ = _province_for_templates(request, province_pk)
    return _template_page(request, province, TemplateUploadForm())


@login_required
@require_POST
def template_upload(request: HttpRequest, province_pk: int) -> HttpResponse:
    """A refused file (not Word, broken, code the sandbox forbids, too slow or too big to render)
    answers 400 with the page and the reason under the file field; nothing is stored."""
    province, principal = _province_for_templates(request, province_pk)
    form = TemplateUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Chưa dùng được tệp mẫu: hãy chọn loại văn bản và một tệp .docx.")
        return _template_page(request, province, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        services.template_upload(
            province=province,
            kind=form.cleaned_data["kind"],
            upload=upload,
            filename=upload.name,
            actor=request.user,
            principal=principal,
        )
    except ValidationError as exc:
        form.add_error("file", "Chưa dùng được tệp mẫu: " + " ".join(exc.messages))
        return _template_page(request, province, form, status=400)
    messages.success(request, f"Đã dùng mẫu riêng của tỉnh cho {Kind(form.cleaned_data['kind']).label}.")
    return redirect("documents:template-list", province_pk=province.pk)


@login_required
@require_POST
def template_reset(request: HttpRequest, province_pk: int, kind: str) -> HttpResponse:
    province, principal = _province_for_templates(request, province_pk)
    if kind not in Kind.values:
        raise Http404("Không có loại văn bản này")
    services.template_reset(province=province, kind=kind, principal=principal)
    messages.success(request, f"Đã trở lại mẫu có sẵn cho {Kind(kind).label}.")
    return redirect("documents:template-list", province_pk=province.pk)


@login_required
@require_GET
def template_download(request: HttpRequest, province_pk: int, kind: str) -> HttpResponse:
    """The template in use for ``kind`` (the province's, else the built-in), to edit in Word."""
    province, _ = _province_for_templates(request, province_pk)
    if kind not in Kind.values:
        raise Http404("Không có loại văn bản này")
    if request.GET.get("mau") == "co-san":
        data, own = builtin.builtin_path(kind).read_bytes(), None
    else:
        try:
            data, own = services.template_bytes(province.pk, kind)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("documents:template-list", province_pk=province.pk)
    whose = province.name if own is not None else "co-san"  # "mau-KH-khac-phuc-chi-so-CCHC-tinh-quang-tri.docx"
    return attachment(data, download_name("mau", FILE_NAMES[kind], whose, suffix="docx"), DOCX)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Where to write from: the user's communes (their plans and assessments) and provinces (publications)."""
    hub = selectors.documents_hub(principal_for(request.user))
    return render(request, "documents/home.html", {"hub": hub, "kinds": Kind})

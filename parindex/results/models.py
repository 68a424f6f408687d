"""Approval and publication of results, with frozen ranking snapshots.

The council chair approves the appraised results of a group of units (``Approval``): the
group they are ranked in, e.g. every commune and ward of the province. The province then
publishes the approval under a decision (``Publication``), which freezes one
``PublishedResult`` per unit: score, percent, classification, rank N/M and change of rank.
A published result is never recomputed. A correction is a new publication of the same
approval with a reason; it supersedes the previous one, which is kept as it was.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from parindex import scoring


class Approval(models.Model):
    """The council's approval of a ranking group's appraised results in a cycle."""

    cycle = models.ForeignKey("assessments.Cycle", on_delete=models.PROTECT, related_name="approvals")
    name = models.CharField("nhóm xếp hạng", max_length=200, help_text="Ví dụ: Khối xã, phường, đặc khu")
    note = models.CharField("căn cứ", max_length=500, blank=True, help_text="Ví dụ: Biên bản họp Hội đồng ngày ...")
    tie_break = models.CharField(
        "xếp hạng khi bằng chỉ số", max_length=16, blank=True, default="",
        choices=list(scoring.TIE_BREAKS.items()),
    )  # fmt: skip
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    approved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-cycle__year", "pk"]
        verbose_name = "phê duyệt kết quả"
        verbose_name_plural = "phê duyệt kết quả"

    def __str__(self) -> str:
        return f"{self.cycle} · {self.name}"


class ApprovalEntry(models.Model):
    """An assessment approved in an approval; an assessment is approved once."""

    approval = models.ForeignKey(Approval, on_delete=models.CASCADE, related_name="entries")
    assessment = models.OneToOneField("assessments.Assessment", on_delete=models.PROTECT, related_name="approval_entry")

    class Meta:
        verbose_name = "đơn vị được phê duyệt"
        verbose_name_plural = "đơn vị được phê duyệt"

    def __str__(self) -> str:
        return f"{self.approval_id}: {self.assessment_id}"


class Publication(models.Model):
    """A published decision for an approval: the frozen ranking snapshot's header."""

    approval = models.ForeignKey(Approval, on_delete=models.PROTECT, related_name="publications")
    number = models.PositiveSmallIntegerField("lần công bố", default=1)
    decision_number = models.CharField("số quyết định", max_length=64)
    decision_date = models.DateField("ngày quyết định")
    issuer = models.CharField("cơ quan ban hành", max_length=200, blank=True)
    reason = models.TextField("lý do đính chính", blank=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    is_current = models.BooleanField("đang có hiệu lực", default=True)
    # What the table headers and number formats need, frozen with the results.
    year = models.PositiveSmallIntegerField("năm đánh giá")
    places = models.PositiveSmallIntegerField("số chữ số thập phân", default=2)
    fields = models.JSONField("lĩnh vực", default=list, help_text="[{code, name, max}] of the top-level criteria")
    previous_label = models.CharField("so sánh với", max_length=300, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "approval", "-number"]
        verbose_name = "công bố kết quả"
        verbose_name_plural = "công bố kết quả"
        constraints = [
            models.UniqueConstraint(fields=["approval", "number"], name="publication_unique_number"),
            models.UniqueConstraint(fields=["approval"], condition=Q(is_current=True), name="publication_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.decision_number} · {self.approval}"


class PublishedResult(models.Model):
    """One unit's frozen result in a publication. Never recomputed, never edited."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="results")
    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="published_results")
    unit_name = models.CharField("tên đơn vị", max_length=200)
    total = models.DecimalField("điểm đạt", max_digits=9, decimal_places=4)
    self_total = models.DecimalField("điểm tự đánh giá", max_digits=9, decimal_places=4)
    applicable_max = models.DecimalField("điểm tối đa áp dụng", max_digits=9, decimal_places=4)
    percent = models.DecimalField("chỉ số (%)", max_digits=9, decimal_places=4)
    classification = models.CharField("xếp loại", max_length=64)
    rank = models.PositiveIntegerField("thứ hạng")
    rank_of = models.PositiveIntegerField("trên tổng số")
    previous_percent = models.DecimalField("chỉ số năm trước", max_digits=9, decimal_places=4, null=True, blank=True)
    previous_rank = models.PositiveIntegerField("thứ hạng năm trước", null=True, blank=True)
    previous_of = models.PositiveIntegerField(null=True, blank=True)
    previous_sources = models.JSONField(
        "so sánh với đơn vị", default=list, blank=True, help_text="Tên các đơn vị năm trước được dùng để so sánh"
    )
    rank_change = models.IntegerField("tăng (+) / giảm (−) bậc", null=True, blank=True)
    scores = models.JSONField(
        "điểm từng tiêu chí", default=dict, help_text='{code: ["score", "applicable max"]}; not applicable: [null, "0"]'
    )

    class Meta:
        ordering = ["publication", "rank", "unit_name"]
        verbose_name = "kết quả đã công bố"
        verbose_name_plural = "kết quả đã công bố"
        constraints = [models.UniqueConstraint(fields=["publication", "unit"], name="publishedresult_unique_unit")]

    def __str__(self) -> str:
        return f"{self.unit_name}: {self.total} ({self.rank}/{self.rank_of})"


class PublishedScore(models.Model):
    """One node's frozen score in a published result, a row per criterion at every level.

    The same figures as ``PublishedResult.scores``, plus the self-assessed score, laid out so
    that the dashboards aggregate them in SQL (lost points per sub-criterion across the
    province, over-claiming, field averages and ranks) without reading JSON into Python.
    Written once with the result; never edited.
    """

    result = models.ForeignKey(PublishedResult, on_delete=models.CASCADE, related_name="node_scores")
    # Repeated from the result so the aggregates filter and group without a join.
    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    code = models.CharField("mã tiêu chí", max_length=32)
    position = models.PositiveIntegerField("thứ tự", help_text="Document order of the node in its framework")
    depth = models.PositiveSmallIntegerField("cấp", help_text="0: field (lĩnh vực), 1: criterion, 2…: below")
    is_leaf = models.BooleanField("tiêu chí thành phần")
    score = models.DecimalField("điểm đạt", max_digits=9, decimal_places=4, null=True, blank=True)
    self_score = models.DecimalField("điểm tự đánh giá", max_digits=9, decimal_places=4, null=True, blank=True)
    applicable_max = models.DecimalField("điểm tối đa áp dụng", max_digits=9, decimal_places=4)
    lost = models.DecimalField("điểm bị mất", max_digits=9, decimal_places=4, default=0)

    class Meta:
        ordering = ["result_id", "position"]  # not "result": that would join its ordering
        verbose_name = "điểm tiêu chí đã công bố"
        verbose_name_plural = "điểm tiêu chí đã công bố"
        constraints = [
            models.UniqueConstraint(fields=["result", "code"], name="publishedscore_unique_code"),
            models.CheckConstraint(condition=Q(lost__gte=0), name="publishedscore_lost_gte_0"),
        ]
        indexes = [
            models.Index(fields=["publication", "depth", "code"], name="publishedscore_pub_depth_idx"),
            models.Index(fields=["unit", "depth"], name="publishedscore_unit_depth_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.result_id} {self.code}: {self.score}/{self.applicable_max}"


def _file_path(instance: models.Model, filename: str) -> str:
    return f"ket-qua/{filename}"


class FileKind(models.TextChoices):
    """The files a publication is downloaded as."""

    CSV = "csv", "CSV"
    JSON = "json", "JSON"
    XLSX = "xlsx", "Excel"
    DOCX = "docx", "Quyết định (Word)"


class PublicationFile(models.Model):
    """One download of a publication, built once and stored (CSV, JSON, Excel, the Quyết định).

    Built right after the publication commits (and again for the older publications of the group
    when a correction changes what their files say about the one in force); a download serves
    the stored bytes. ``sha256`` is the file's content hash: its stored name, and how a rebuild
    tells whether anything changed.
    """

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField("loại tệp", max_length=8, choices=FileKind.choices)
    file = models.FileField("tệp", upload_to=_file_path, max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField("dung lượng (byte)")
    built_at = models.DateTimeField("lúc tạo", auto_now=True)

    class Meta:
        ordering = ["publication", "kind"]
        verbose_name = "tệp kết quả công bố"
        verbose_name_plural = "tệp kết quả công bố"
        constraints = [models.UniqueConstraint(fields=["publication", "kind"], name="publicationfile_unique_kind")]

    def __str__(self) -> str:
        return f"{self.publication_id} {self.kind} {self.sha256[:12]}"


class OpenDataFile(models.Model):
    """A year's published results of every province in one file (open data), built once for the
    set of publications in force it was made from (``publications_key``) and stored."""

    year = models.PositiveSmallIntegerField("năm đánh giá")
    kind = models.CharField("loại tệp", max_length=8, choices=FileKind.choices)
    publications_key = models.CharField(
        max_length=64, help_text="sha256 of the ids of the year's publications in force it was built from"
    )
    file = models.FileField("tệp", upload_to=_file_path, max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField("dung lượng (byte)")
    built_at = models.DateTimeField("lúc tạo", auto_now=True)

    class Meta:
        ordering = ["-year", "kind"]
        verbose_name = "tệp dữ liệu mở"
        verbose_name_plural = "tệp dữ liệu mở"
        constraints = [models.UniqueConstraint(fields=["year", "kind"], name="opendatafile_unique_kind")]

    def __str__(self) -> str:
        return f"{self.year} {self.kind} {self.sha256[:12]}"

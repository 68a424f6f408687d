from __future__ import annotations

from django.contrib import admin

from parindex.core.admin import ReadOnlyAdminMixin
from parindex.documents.models import DocumentTemplate, IssuedDocument


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The register: written only when a document is created on the documents pages."""

    list_display = ("unit", "number", "symbol", "issued_on", "kind", "subject", "signer_name", "created_by")
    list_filter = ("kind", "year")
    list_select_related = ("unit", "created_by")
    exclude = ("file",)  # served only through the access-checked download


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """A province's templates: uploaded and reset on the province's template page (checked in the sandbox)."""

    list_display = ("province", "kind", "original_name", "is_active", "uploaded_by", "uploaded_at")
    list_filter = ("kind", "is_active")
    exclude = ("file",)

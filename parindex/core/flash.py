"""Messages shown after a redirect: one per form field in error, labelled in Vietnamese."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest


def flash_form_errors(request: HttpRequest, form: forms.Form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))

"""Forms of the review pages (Vietnamese labels; the services check the content)."""

from __future__ import annotations

from typing import Any

from django import forms

from parindex.assessments.forms import AnswerForm
from parindex.reviews.workflow import ReviewStatus

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    until = forms.DateField(label="Hạn cuối nhận đề nghị phúc tra", widget=DATE_INPUT)


class ReappraisalForm(AnswerForm):
    """The phúc tra inputs of one item (the rule's inputs) and the appraiser's comment."""

    comment = forms.CharField(label="Nhận xét phúc tra", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["explanation"]


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=ReviewStatus.choices)
    note = forms.CharField(label="Lý do / ý kiến", required=False, widget=forms.Textarea(attrs={"rows": 2}))

"""The province dashboard's filters: a GET form of year, ranking group and classification.

The board decides what the values mean (a year without publications falls back to the newest);
the form is then built unbound with the values in force, to render the selects.
"""

from __future__ import annotations

from django import forms

from parindex.results.models import Publication


class ProvinceFilterForm(forms.Form):
    nam = forms.ChoiceField(label="Năm đánh giá", required=False)
    nhom = forms.ChoiceField(label="Nhóm xếp hạng", required=False)
    loai = forms.ChoiceField(label="Xếp loại", required=False)

    def __init__(
        self,
        *,
        years: list[int],
        publications: list[Publication],
        classifications: list[str],
        year: int | None,
        group_id: int | None,
        classification: str,
    ) -> None:
        super().__init__(initial={"nam": year, "nhom": group_id or "", "loai": classification})
        self.fields["nam"].choices = [(y, str(y)) for y in years]
        self.fields["nhom"].choices = [("", "Tất cả các nhóm")] + [(p.pk, p.approval.name) for p in publications]
        self.fields["loai"].choices = [("", "Tất cả")] + [(c, c) for c in classifications]
        for f in self.fields.values():
            f.widget.attrs["data-autosubmit"] = True  # static/js/app.js submits the form on change

"""What the lists' filter forms share: the search box for a unit, and reading what was chosen."""

from __future__ import annotations

from typing import Any

from django import forms


def unit_search_field() -> forms.CharField:
    """The search box of a list of units: a commune's or ward's name or code."""
    return forms.CharField(
        label="Tìm đơn vị",
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Tên hoặc mã xã, phường", "autocomplete": "off"}
        ),
    )


class ListFilterForm(forms.Form):
    """A list's filters, read from the query string (GET)."""

    def filters(self) -> dict[str, Any]:
        """What was chosen (an invalid choice is left out: the list shows more, never an error)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v not in ("", None)}

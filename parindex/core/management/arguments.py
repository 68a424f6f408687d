"""Argument types the console commands share."""

from __future__ import annotations

import argparse
import datetime as dt


def iso_date(text: str) -> dt.date:
    """A date typed as YYYY-MM-DD; argparse prints the Vietnamese message and exits 2 otherwise."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ngày '{text}' phải có dạng YYYY-MM-DD") from None

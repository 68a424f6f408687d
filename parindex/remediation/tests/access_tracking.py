"""Where the access rules of the tracking pages (tracking_views.py) are tested."""

TRACKING_ACCESS: dict[str, str] = {}

"""Where the access rules of the plan pages (views.py) are tested."""

PLAN_ACCESS: dict[str, str] = {}

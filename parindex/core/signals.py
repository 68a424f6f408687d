"""What ``core`` tells the apps above it, so that it imports none of them.

``serve_starting`` is sent by ``parindex serve`` once the database is migrated, before gunicorn
and the worker start: an app queues there the jobs it runs on a schedule (the daily reminders).
A receiver may return a line to print ("" for nothing).
"""

from __future__ import annotations

from django.dispatch import Signal

serve_starting = Signal()

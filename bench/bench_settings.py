"""Settings of the load bench's server: the app's own, plus a bench-only URL (bare_urls).

Selected with DJANGO_SETTINGS_MODULE=bench_settings and bench/ on the Python path (gunicorn
--pythonpath bench); everything else, DEBUG and the security settings included, comes from
parindex.settings and the environment as in production.
"""

from parindex.settings import *  # noqa: F403

ROOT_URLCONF = "bare_urls"

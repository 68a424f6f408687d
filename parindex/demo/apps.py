from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data of ``make run`` (``seed_demo``), at the top of the house: it writes through
    every app's services, so it sits above them all, not in ``core`` which they all import.
    ``seed_demo`` refuses DEBUG=false; ``make serve`` never calls it."""

    name = "parindex.demo"
    verbose_name = "Dữ liệu mẫu"

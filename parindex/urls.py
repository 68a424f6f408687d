from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from parindex.core.health import healthz
from parindex.dashboards import views as dashboard_views

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("dang-nhap/", auth_views.LoginView.as_view(template_name="registration/login.html"), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("tai-khoan/", include("parindex.accounts.urls")),
    path("bo-chi-so/", include("parindex.frameworks.urls")),
    path("danh-gia/", include("parindex.assessments.urls")),
    path("tham-dinh/", include("parindex.appraisals.urls")),
    path("ket-qua/", include("parindex.results.urls")),
    path("thong-bao/", include("parindex.notifications.urls")),
    path("viec-can-lam/", include("parindex.inbox.urls")),
    path("khac-phuc/", include("parindex.remediation.urls")),
    path("phuc-tra/", include("parindex.reviews.urls")),
    path("van-ban/", include("parindex.documents.urls")),
    path("bang-dieu-khien/", include("parindex.dashboards.urls")),
    path("chi-so/", include("parindex.indicators.urls")),
    path("ho-so-tre-han/", include("parindex.dossiers.urls")),
    path("chi-so-ngoai/", include("parindex.external.urls")),
    path("quan-tri/", admin.site.urls),
    path("healthz/", healthz, name="healthz"),
    # Browsers ask for /favicon.ico on their own (a JSON download, an old browser): the SVG icon
    # (its static URL read at the first request, when the static files storage is ready).
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.svg"), permanent=True), name="favicon"),
]

if settings.PROMETHEUS_METRICS:
    urlpatterns.append(path("", include("django_prometheus.urls")))

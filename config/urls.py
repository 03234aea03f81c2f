"""Top-level URLs: each app owns its namespace."""

from django.contrib import admin
from django.urls import include, path

from config.health import PATH as HEALTH_PATH
from config.health import health

urlpatterns = [
    path("", include("planning.urls")),
    path("", include("partners.urls")),
    path("", include("monitoring.urls")),
    path("accounts/", include("partners.sign_in_urls")),
    path("public/", include("public.urls")),
    # for search engines: the public pages and their sitemap (issue 16)
    path("", include("public.root_urls")),
    path("", include("public.moderation_urls")),  # officers moderating public responses (0020)
    path("", include("api.urls")),
    path("django-admin/", admin.site.urls),
    path(HEALTH_PATH.lstrip("/"), health, name="health"),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"

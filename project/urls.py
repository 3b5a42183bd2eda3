from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView

from api.schema_view import SchemaView
from project import health
from reader.sitemaps import SITEMAPS, robots_txt

admin.site.site_header = "OnRecord editors"
admin.site.site_title = "OnRecord"
admin.site.index_title = "Curate statements, speakers and sources"
admin.site.site_url = "/"  # "View site": the reading site

urlpatterns = [
    path("admin/intake/", include("intake.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("sitemap.xml", sitemap_views.index, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("robots.txt", robots_txt, name="robots"),
    path("alerts/", include("alerts.urls")),
    path("dumps/", include("dumps.urls")),
    path("", include("reader.urls")),
]

handler404 = "api.exceptions.page_not_found"
handler500 = "api.exceptions.server_error"

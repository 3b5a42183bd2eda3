"""The API mounted at another address, to check that the admin links follow its routes."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("elsewhere/api/", include("api.urls")),
]

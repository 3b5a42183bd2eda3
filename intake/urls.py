from django.contrib import admin
from django.urls import path

from intake import views

app_name = "intake"

urlpatterns = [
    path("", admin.site.admin_view(views.start), name="start"),
    path("confirm/", admin.site.admin_view(views.confirm), name="confirm"),
]

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class QuotesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quotes"
    verbose_name = "OnRecord"


class OnRecordAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with OnRecord's admin site (quotes/admin_site.py)."""

    default = False  # QuotesConfig stays the quotes app's configuration
    default_site = "quotes.admin_site.OnRecordAdminSite"

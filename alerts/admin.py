"""The outbox for editors: recent deliveries and failures (read-only)."""

from django.contrib import admin

from alerts.models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("created", "kind", "status", "attempts", "sent_at", "subject", "error")
    list_filter = ("status", "kind")
    date_hierarchy = "created"
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

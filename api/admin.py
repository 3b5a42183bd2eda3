from django.contrib import admin
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from api.models import ClientKey

# Client keys are ClientKeys, which carry a rate and their last use; the library's own model
# stays unused.
admin.site.unregister(APIKey)


@admin.register(ClientKey)
class ClientKeyAdmin(APIKeyModelAdmin):
    list_display = ("prefix", "name", "rate", "created", "last_used", "expiry_date", "revoked")
    list_filter = ("revoked", "created")
    readonly_fields = ("last_used",)

    def get_readonly_fields(self, request, obj=None) -> tuple[str, ...]:
        return (*super().get_readonly_fields(request, obj), "last_used")

"""The table of Django's database cache (the default CACHE_URL), which keeps the API's
rate-limit counters; with CACHE_URL=redis://… there is nothing to create."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor) -> None:
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("api", "0001_client_keys")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]

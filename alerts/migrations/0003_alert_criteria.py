"""A saved search keeps the criteria parsed from its parameters; those saved before get
them here, parsed by the function that parses a sign-up's (alerts.targets)."""

from django.db import migrations, models


def criteria_fill(apps, schema_editor):
    from alerts.targets import criteria

    Alert = apps.get_model("alerts", "Alert")
    saved = Alert.objects.filter(search__isnull=False, criteria__isnull=True)
    for alert in saved.only("pk", "search").iterator(chunk_size=2000):
        Alert.objects.filter(pk=alert.pk).update(criteria=criteria(alert.search))


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0002_subscriber_language"),
    ]

    operations = [
        migrations.AddField(
            model_name="alert",
            name="criteria",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(criteria_fill, migrations.RunPython.noop),
    ]

from django.contrib.auth.management import create_permissions
from django.db import migrations


def editors_see_captures(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    app_config = apps.get_app_config("captures")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = Permission.objects.filter(
        content_type__app_label="captures",
        codename__in=["view_capture", "view_citationcheck", "change_citationcheck", "view_dismissal"],
    )
    for group in Group.objects.filter(name__in=["Editors", "Reviewers"]):
        group.permissions.add(*wanted)


class Migration(migrations.Migration):

    dependencies = [
        ("captures", "0001_initial"),
        ("quotes", "0015_error_reports"),
    ]

    operations = [migrations.RunPython(editors_see_captures, migrations.RunPython.noop)]

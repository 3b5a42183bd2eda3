from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_MODELS = [
    "organization",
    "speaker",
    "speakername",
    "affiliation",
    "source",
    "topic",
    "quote",
    "translation",
    "citation",
]
REVIEWER_PERMISSIONS = [
    "publish_quote",
    "retract_quote",
    "merge_quote",
    "merge_speaker",
    "verify_citation",
    "view_keyredirect",
]


def create_reviewers_group(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    quotes_permissions = Permission.objects.filter(content_type__app_label="quotes")
    editor_codenames = [
        f"{action}_{model}"
        for model in EDITOR_MODELS
        for action in ("add", "change", "delete", "view")
    ]
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *quotes_permissions.filter(codename__in=[*editor_codenames, "view_keyredirect"])
    )
    # Reviewers can do everything editors can, and the steps that need a second pair of eyes.
    reviewers, _ = Group.objects.get_or_create(name="Reviewers")
    reviewers.permissions.add(
        *quotes_permissions.filter(codename__in=editor_codenames + REVIEWER_PERMISSIONS)
    )


def remove_reviewers_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Reviewers").delete()


class Migration(migrations.Migration):
    dependencies = [("quotes", "0005_curation")]

    operations = [migrations.RunPython(create_reviewers_group, remove_reviewers_group)]

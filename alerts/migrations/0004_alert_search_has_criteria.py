from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0003_alert_criteria"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="alert",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("criteria__isnull", True), ("search__isnull", True)),
                    models.Q(("criteria__isnull", False), ("search__isnull", False)),
                    _connector="OR",
                ),
                name="alert_search_has_criteria",
            ),
        ),
    ]

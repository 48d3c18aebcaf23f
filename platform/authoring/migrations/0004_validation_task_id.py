from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("authoring", "0003_publishers_own_web_exercises"),
    ]

    operations = [
        migrations.AddField(
            model_name="exercisedraft",
            name="validation_task_id",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
    ]

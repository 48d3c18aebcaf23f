from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0003_submission_worker_pid"),
    ]

    operations = [
        migrations.AddField(
            model_name="regradebatch",
            name="never_lower",
            field=models.BooleanField(default=False),
        ),
    ]

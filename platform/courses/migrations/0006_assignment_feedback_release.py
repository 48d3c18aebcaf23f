"""Hidden cases' feedback: a boolean ("immediately" or "after the deadline") becomes three tiers.

Existing rows keep their meaning: True -> "now", False -> "due".
"""

from django.db import migrations, models


def forwards(apps, schema_editor):
    Assignment = apps.get_model("courses", "Assignment")
    Assignment.objects.filter(hidden_feedback=True).update(feedback_release="now")
    Assignment.objects.filter(hidden_feedback=False).update(feedback_release="due")


def backwards(apps, schema_editor):
    # "never" has no boolean of its own: the closest is pass/fail until the deadline.
    Assignment = apps.get_model("courses", "Assignment")
    Assignment.objects.filter(feedback_release="now").update(hidden_feedback=True)
    Assignment.objects.exclude(feedback_release="now").update(hidden_feedback=False)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0005_time_zone_extensions_overrides"),
    ]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="feedback_release",
            field=models.CharField(
                choices=[
                    ("now", "Immediately"),
                    ("due", "After the deadline"),
                    ("never", "Never (pass/fail only)"),
                ],
                default="now",
                max_length=8,
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="assignment", name="hidden_feedback"),
    ]

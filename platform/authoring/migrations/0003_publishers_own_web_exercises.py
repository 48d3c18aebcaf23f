"""Ownership starts from what Publication recorded: whoever published a version of a web
exercise becomes one of its owners (catalog.ExerciseOwner). Folder exercises get no owner rows:
they belong to platform staff only, as do web exercises nobody is recorded to have published.
"""

from __future__ import annotations

from django.db import migrations


def publishers_become_owners(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    Publication = apps.get_model("authoring", "Publication")
    ExerciseOwner = apps.get_model("catalog", "ExerciseOwner")
    seen: set[tuple[int, int]] = set()
    rows = (
        Publication.objects.filter(version__exercise__source="web", published_by__isnull=False)
        .order_by("published_at", "pk")
        .values_list("version__exercise_id", "published_by_id", "published_at")
    )
    for exercise_id, user_id, published_at in rows:
        if (exercise_id, user_id) in seen:
            continue
        seen.add((exercise_id, user_id))
        owner, created = ExerciseOwner.objects.get_or_create(
            exercise_id=exercise_id, user_id=user_id
        )
        if created:
            # Owner since their first publication (auto_now_add filled in "now").
            ExerciseOwner.objects.filter(pk=owner.pk).update(created_at=published_at)


class Migration(migrations.Migration):
    dependencies = [
        ("authoring", "0002_validation_queued_at"),
        ("catalog", "0004_owners_and_alert_resolutions"),
    ]

    operations = [
        migrations.RunPython(publishers_become_owners, migrations.RunPython.noop),
    ]

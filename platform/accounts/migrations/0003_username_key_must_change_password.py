"""Usernames unique by key (accounts/usernames.py), and the forced password change.

The key column is filled for the existing users before it becomes unique. Two existing accounts
with the same key (`Bob` and `bob`, or a look-alike pair) stop the migration with their names:
which one to rename is a person's decision, not a migration's.
"""

from typing import Any

import django.contrib.auth.validators
from django.db import migrations, models

import accounts.usernames


def fill_keys(apps: Any, schema_editor: Any) -> None:
    User = apps.get_model("accounts", "User")
    seen: dict[str, str] = {}
    clashes = []
    for pk, username in User.objects.order_by("pk").values_list("pk", "username"):
        key = accounts.usernames.username_key(username)
        if key in seen:
            clashes.append(f"{seen[key]!r} and {username!r}")
            continue
        seen[key] = username
        User.objects.filter(pk=pk).update(username_key=key)
    if clashes:
        raise RuntimeError(
            "these accounts' usernames differ only by case or look-alike letters: "
            + "; ".join(clashes)
            + ". Rename one of each pair (Django admin, or manage.py shell), then migrate again."
        )


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_token_name_expiry"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="must_change_password",
            field=models.BooleanField(
                default=False,
                help_text="The user must choose a new password at their next sign-in "
                "(set when someone else chose the current one).",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="username_key",
            field=models.CharField(editable=False, max_length=150, null=True),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="username_key",
            field=models.CharField(editable=False, max_length=150, unique=True),
        ),
        migrations.AlterField(
            model_name="user",
            name="username",
            field=models.CharField(
                error_messages={"unique": "A user with that username already exists."},
                help_text="Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.",
                max_length=150,
                unique=True,
                validators=[
                    django.contrib.auth.validators.UnicodeUsernameValidator(),
                    accounts.usernames.validate_not_lookalike,
                ],
                verbose_name="username",
            ),
        ),
    ]

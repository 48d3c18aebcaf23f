# Written by hand (one field): makemigrations would also have picked up other pending changes
# to the courses models.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("courses", "0003_solution_opening_invitation"),
    ]

    operations = [
        migrations.AddField(
            model_name="course",
            name="signup_domain",
            field=models.CharField(blank=True, max_length=253),
        ),
    ]

"""The site itself as a source (issue 33): made from SITE_NAME, at most one."""

import importlib

from django.db import migrations, models


def make_house(apps, schema_editor):
    house = importlib.import_module("articles.house")
    house.ensure_house(apps.get_model("articles", "Source"))


class Migration(migrations.Migration):
    dependencies = [("articles", "0012_full_text")]

    operations = [
        migrations.AddField(
            model_name="source",
            name="is_house",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="This site itself: the source of the newsroom's own articles.",
                verbose_name="the house",
            ),
        ),
        migrations.AddConstraint(
            model_name="source",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_house", True)),
                fields=("is_house",),
                name="source_one_house",
            ),
        ),
        migrations.RunPython(make_house, migrations.RunPython.noop),
    ]

"""Create the Editors and Moderators groups.

Editors manage articles, sources, topics and promos. Moderators get nothing here: the
comments app grants them its own permissions in its migrations.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_MODELS = ("article", "articlerevision", "correction", "source", "topic", "promo")


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    grant(apps)


def grant(apps):
    """Create the groups and give Editors their permissions (tests call this too)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    Group.objects.get_or_create(name="Moderators")
    perms = Permission.objects.filter(
        content_type__app_label="articles", content_type__model__in=EDITOR_MODELS
    )
    editors.permissions.add(*perms)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Moderators"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_groups, remove_groups)]

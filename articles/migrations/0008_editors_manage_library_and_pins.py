"""Editors manage the image library and the pins (as 0002 gives them articles)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_MODELS = ("image", "pin")


def grant(apps):
    """Give the Editors group the library's and the pins' permissions (tests call this)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="articles", content_type__model__in=EDITOR_MODELS
        )
    )


def create_and_grant(apps, schema_editor):
    # Permissions are normally created after all migrations; make them now.
    app_config = apps.get_app_config("articles")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    grant(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_image_library_pins_review_and_social_fields"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(create_and_grant, migrations.RunPython.noop)]

"""Give the Editors group the stories permissions: split, merge, pin leads, edit key points.

Stories and memberships cannot be added by hand (they come from articles), so editors get
view and change; key points view and change (edit the text, hide).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMS = (
    "view_story",
    "change_story",
    "view_storymembership",
    "change_storymembership",
    "view_keypoint",
    "change_keypoint",
)


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    grant_groups(apps)


def grant_groups(apps):
    """Give Editors their stories permissions (tests call this too)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label="stories", codename__in=EDITOR_PERMS)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="stories"))


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0001_stories_fingerprints_keypoints"),
        ("articles", "0002_editor_and_moderator_groups"),
    ]
    operations = [migrations.RunPython(grant, revoke)]

"""Give the Moderators group the comments permissions; create the Trusted readers group.

Editors get nothing here: moderating readers is a separate job (docs/comments.md). Staff
who should moderate join the Moderators group.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODERATOR_PERMS = (
    "moderate_comment",
    "view_comment",
    "change_comment",
    "view_moderationlog",
    "view_report",
    "view_ban",
    "add_ban",
    "change_ban",
)


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    grant_groups(apps)


def grant_groups(apps):
    """Give Moderators their permissions, make Trusted readers (tests call this too)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    moderators.permissions.add(
        *Permission.objects.filter(content_type__app_label="comments", codename__in=MODERATOR_PERMS)
    )
    Group.objects.get_or_create(name="Trusted readers")


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Moderators"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="comments")
        )
    Group.objects.filter(name="Trusted readers").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("articles", "0002_editor_and_moderator_groups"),
    ]
    operations = [migrations.RunPython(grant, revoke)]

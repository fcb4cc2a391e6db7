"""factory_boy factories shared by every test module."""

from __future__ import annotations

import importlib
import io

import factory
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.models import User
from articles.models import Article, Promo, Source, Topic

PASSWORD = "a-Long-passw0rd!"  # every user's: the browser and end-to-end tests sign in with it
# The article admin form's inline formsets (corrections, revisions), posted with no rows.
EMPTY_ARTICLE_INLINES = {
    "corrections-TOTAL_FORMS": "0",
    "corrections-INITIAL_FORMS": "0",
    "revisions-TOTAL_FORMS": "0",
    "revisions-INITIAL_FORMS": "0",
}


def image_bytes(fmt: str = "JPEG", size=(800, 450), colour=(30, 90, 160)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, fmt)
    return buf.getvalue()


def image_upload(name: str = "photo.jpg", fmt: str = "JPEG", size=(800, 450)) -> SimpleUploadedFile:
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}.get(fmt)
    return SimpleUploadedFile(name, image_bytes(fmt, size), content_type=content_type)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"reader{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    display_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(self, create, extracted, **kwargs):
        if create:
            self.save()


def ensure_staff_groups() -> None:
    """Make the Editors, Moderators and Trusted readers groups exactly as their data
    migrations do (idempotent): the one place tests grant staff permissions.

    Transactional (browser) tests flush the database, data migrations included.
    """
    from django.apps import apps

    importlib.import_module("articles.migrations.0002_editor_and_moderator_groups").grant(apps)
    importlib.import_module("comments.migrations.0002_moderator_permissions").grant_groups(apps)
    importlib.import_module("stories.migrations.0002_editor_permissions").grant_groups(apps)
    importlib.import_module("articles.migrations.0008_editors_manage_library_and_pins").grant(apps)


def _staff_in(group: str):
    def join(user, create, extracted, **kwargs):
        if create:
            ensure_staff_groups()
            user.groups.add(Group.objects.get(name=group))
            user.is_staff = True
            user.save()

    return factory.PostGeneration(join)


class EditorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"editor{n}")
    _save = _staff_in("Editors")


class ModeratorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"moderator{n}")
    _save = _staff_in("Moderators")


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"The Daily Lantern {n}")
    slug = factory.Sequence(lambda n: f"daily-lantern-{n}")
    kind = Source.Kind.PUBLISHER
    homepage_url = "https://lantern.example.org/"
    # An established source, as the migration makes every source the site already had; a
    # test of a new one says vetted=False (the model's default).
    vetted = True


class AgencyFactory(SourceFactory):
    name = factory.Sequence(lambda n: f"Northwind Wire {n}")
    slug = factory.Sequence(lambda n: f"northwind-wire-{n}")
    kind = Source.Kind.AGENCY


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Harbour council approves plan number {n}")
    slug = factory.Sequence(lambda n: f"harbour-plan-{n}")
    summary = "The council voted to widen the old quay before the spring storms."
    body = "<p>The vote came after a long evening of debate.</p>"
    source = factory.SubFactory(SourceFactory)
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(hours=2))

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)


class PromoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Promo

    placement = Promo.Placement.ARTICLE
    title = "Try our new features"
    text = "Follow the topics you care about and get a morning briefing."
    link_url = "https://newsroom.example.org/features"
    link_label = "Explore"


def confirm_email(user: User, *, verified: bool = True) -> User:
    """Give `user` the allauth EmailAddress row a confirmed reader has."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": verified, "primary": True}
    )
    return user


class ConfirmedReaderFactory(UserFactory):
    """A reader who signed up and followed the confirmation link: may log in and comment."""

    username = factory.Sequence(lambda n: f"confirmed{n}")

    @factory.post_generation
    def confirmed_email(self, create, extracted, **kwargs):
        if create:
            confirm_email(self)


class CommentFactory(factory.django.DjangoModelFactory):
    """A stored comment, bypassing the rules (tests of rules call services.post_comment)."""

    class Meta:
        model = "comments.Comment"
        skip_postgeneration_save = True

    article = factory.Maybe(
        "parent",
        yes_declaration=factory.SelfAttribute("parent.article"),
        no_declaration=factory.SubFactory(ArticleFactory),
    )
    author = factory.SubFactory(ConfirmedReaderFactory)
    body = factory.Sequence(lambda n: f"A thoughtful remark about the quay, number {n}.")
    fingerprint = factory.LazyAttribute(lambda c: f"fp-{c.body}"[:64])
    status = "approved"
    parent = None  # Comment.save() derives thread and depth

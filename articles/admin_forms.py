"""The article edit form: the rich text editor, character counters, zone-named times."""

from __future__ import annotations

from django import forms
from django.contrib.admin import widgets as admin_widgets
from django.urls import reverse
from django.utils import timezone
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget

from .models import Article
from .publishing import can_publish
from .sanitize import EDITOR_EXTENSIONS, MarkupTooComplex, sanitize_html

# Where each counted field should stop, for the counters (static/js/char-counter.js):
# what search results and social cards show before they cut the text.
COUNTED = {
    "title": 90,
    "summary": 200,
    "social_title": 70,
    "social_description": 200,
}


def clean_body(html: str) -> str:
    """The editor field's sanitizer: markup too deep to clean is a message, not a 500."""
    try:
        return sanitize_html(html)
    except MarkupTooComplex as exc:
        raise forms.ValidationError(f"This body cannot be saved: {exc}.") from None


def editor_config() -> dict:
    """The editor's extensions, with the library picker's address for figures."""
    extensions = dict(EDITOR_EXTENSIONS)
    extensions["Figure"] = {"pickerUrl": reverse("admin:articles_image_pick")}
    return {"extensions": extensions}


def zone_name() -> str:
    """The site's time zone as editors read it, e.g. "UTC" or "Europe/Paris (CET)"."""
    now = timezone.localtime()
    name, abbreviation = timezone.get_current_timezone_name(), now.strftime("%Z")
    return name if name == abbreviation else f"{name} ({abbreviation})"


class PublishAtField(forms.SplitDateTimeField):
    """The admin's date and time boxes, used by the edit form and the Schedule… page."""

    widget = admin_widgets.AdminSplitDateTime

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", f"Times are in {zone_name()}.")
        super().__init__(**kwargs)


class ArticleAdminForm(forms.ModelForm):
    body = ProseEditorFormField(
        config={"extensions": EDITOR_EXTENSIONS},
        sanitize=clean_body,
        required=False,
        widget=AdminProseEditorWidget,
        help_text="Headings, lists, links, quotes, pictures from the library and link cards.",
    )

    class Meta:
        model = Article
        # The admin's fieldsets decide the form's fields; these are the ones it checks.
        fields = ("title", "summary", "body", "image", "status", "published_at")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built here, not at import: the picker's URL needs the URLconf.
        self.fields["body"].widget.config = editor_config()
        published = self.fields.get("published_at")
        if published is not None:
            published.help_text = f"{published.help_text} Times are in {zone_name()}."
        for name, limit in COUNTED.items():
            if name in self.fields:
                self.fields[name].widget.attrs["data-count-to"] = limit

    # Set by ArticleAdmin.get_form: who is filling the form in.
    current_user = None

    def clean(self):
        data = super().clean()
        status = data.get("status")
        was_published = self.instance.pk and self.instance.status == Article.Status.PUBLISHED
        if (
            status == Article.Status.PUBLISHED
            and not was_published
            and not can_publish(self.current_user)
        ):
            self.add_error(
                "status",
                "This site asks for a review before publishing: choose “Ready for review” "
                "and an editor who may publish will take it from there.",
            )
        image = data.get("image")
        if status == Article.Status.PUBLISHED and image is not None and not image.alt_text:
            self.add_error(
                "image",
                "This library image has no alt text yet: describe it in the library "
                "before publishing.",
            )
        return data

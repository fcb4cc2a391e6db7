"""Forms for reports, the moderation queue and bans."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError

from .models import Reason, Report, Status

# Database ids are positive 64-bit integers. Anything else a reader or moderator can send
# ("²", "①", 5,000 digits, 10**23) is an invalid form field, never an overflow in a query.
MAX_ID = 2**63 - 1


def parse_id(value: str) -> int | None:
    """An id typed into a text field (ASCII digits within range), or None."""
    value = (value or "").strip()
    if value.isascii() and value.isdigit() and len(value) <= 19 and 1 <= int(value) <= MAX_ID:
        return int(value)
    return None


class IdField(forms.IntegerField):
    """A database id: a whole number from 1 to 2**63 - 1."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str) and len(value.strip()) > 19:
            raise ValidationError("Enter a valid id.", code="invalid")
        return super().to_python(value)


class IdListField(forms.Field):
    """Several ids from one repeated parameter (checkboxes)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        ids = [parse_id(str(v)) for v in value]
        if None in ids:
            raise ValidationError("Choose comments from the list.", code="invalid")
        return ids


class CommentForm(forms.Form):
    """What the post view takes from the request besides the text: the parent, if any
    (the text goes through the rules in comments/rules.py)."""

    parent = IdField(required=False)


BAN_DURATIONS = {
    "1h": ("1 hour", timedelta(hours=1)),
    "1d": ("1 day", timedelta(days=1)),
    "7d": ("7 days", timedelta(days=7)),
    "forever": ("For good", None),
}


class ReportForm(forms.Form):
    """A report: a category and an optional note. Prefixed with the comment ("r12-") so
    the article page can carry one for every comment in a single form."""

    category = forms.ChoiceField(
        label="What is wrong with this comment?",
        choices=Report.Category.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what is wrong with this comment."},
    )
    note = forms.CharField(
        label="Note for the moderators (optional)",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, comment_id: int, **kwargs):
        super().__init__(*args, prefix=f"r{comment_id}", **kwargs)


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            ("pending", "Pending"),
            ("reported", "Reported"),
            *[c for c in Status.choices if c[0] != "pending"],
            ("all", "All"),
        ],
        required=False,
    )
    reason = forms.ChoiceField(
        label="Hold reason", choices=[("", "Any")] + list(Reason.choices)[1:], required=False
    )
    article = forms.CharField(label="Article (slug or id)", required=False, max_length=250)
    author = forms.CharField(label="Author (name, email or id)", required=False, max_length=120)
    comment = IdField(required=False, widget=forms.HiddenInput)


class BulkActionForm(forms.Form):
    ACTIONS = [
        ("approve", "Approve"),
        ("reject", "Reject"),
        ("spam", "Mark spam"),
        ("restore", "Restore (undo last decision)"),
        ("feature", "Feature (approved only)"),
        ("unfeature", "Unfeature"),
    ]

    action = forms.ChoiceField(choices=ACTIONS)
    comments = IdListField(required=False)
    # The bulk bar's reason; a row's own button reads that row's "reason-<id>" field.
    reason = forms.CharField(required=False, max_length=300)
    also_replies = forms.BooleanField(required=False, label="Apply to replies too")


class BanForm(forms.Form):
    duration = forms.ChoiceField(
        choices=[(k, label) for k, (label, _) in BAN_DURATIONS.items()],
        widget=forms.RadioSelect,
        initial="1d",
    )
    reason = forms.CharField(max_length=300)
    reject_pending = forms.BooleanField(
        required=False, label="Also reject this reader's pending comments"
    )

    @property
    def until_delta(self) -> timedelta | None:
        return BAN_DURATIONS[self.cleaned_data["duration"]][1]


class LiftBanForm(forms.Form):
    reason = forms.CharField(required=False, max_length=300)

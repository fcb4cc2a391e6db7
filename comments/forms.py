"""Forms for reports, the moderation queue and bans."""

from __future__ import annotations

from datetime import timedelta

from django import forms

from .models import Reason, Report, Status

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
    comment = forms.IntegerField(required=False, widget=forms.HiddenInput)


class BulkActionForm(forms.Form):
    ACTIONS = [
        ("approve", "Approve"),
        ("reject", "Reject"),
        ("spam", "Mark spam"),
        ("restore", "Restore (undo last decision)"),
    ]

    action = forms.ChoiceField(choices=ACTIONS)
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

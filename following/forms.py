"""The briefing and story-update choices (on the profile page, and in the API)."""

from __future__ import annotations

from datetime import time

from django import forms

from .models import available_time_zones


def time_zone_choices() -> list[tuple[str, str]]:
    return [(z, z.replace("_", " ")) for z in sorted(available_time_zones())]


class MailSettingsForm(forms.Form):
    briefing = forms.BooleanField(
        label="Email me a morning briefing",
        required=False,
        help_text="The top stories from what you follow since the last one, at most ten.",
    )
    briefing_time = forms.TimeField(
        label="At",
        initial=time(7, 0),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="Your local time.",
    )
    time_zone = forms.ChoiceField(label="Time zone", initial="UTC", choices=time_zone_choices)
    story_updates = forms.BooleanField(
        label="Email me when a story I follow has a new source or a correction",
        required=False,
        help_text="At most once a day, all stories in one mail (in the briefing if you take it).",
    )

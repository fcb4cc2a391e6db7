"""What the following app adds to the reader's settings page (accounts' hook
`ACCOUNTS_SETTINGS_SECTIONS`): what they follow, with unfollow buttons, and their
briefing and story-update choices."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from . import selectors, targets
from .forms import MailSettingsForm
from .models import ReaderSettings


def settings_section(request, user) -> SafeString:
    follows = [targets.of_follow(f) for f in selectors.follows_of(user)]
    found = ReaderSettings.objects.filter(user=user).first()
    initial = {}
    form = MailSettingsForm
    if found is None or not found.mails:
        # Never chosen: the page's script offers the browser's own zone (time-zone.js).
        form = _guessing
    if found is not None:
        initial = {
            "briefing": found.briefing,
            "briefing_time": found.briefing_time,
            "time_zone": found.time_zone,
            "story_updates": found.story_updates,
        }
    return render_to_string(
        "following/includes/settings_section.html",
        {"follows": follows, "form": form(initial=initial)},
        request=request,
    )


def _guessing(**kwargs) -> MailSettingsForm:
    form = MailSettingsForm(**kwargs)
    form.fields["time_zone"].widget.attrs["data-guess-zone"] = ""
    return form

"""Reader account pages that allauth does not provide: profile, its editor, deletion."""

from __future__ import annotations

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from . import services
from .forms import DeleteAccountForm, ProfileForm, ResendConfirmationForm
from .mail import NOTICES, read_unsubscribe_token
from .models import User


def profile(request: HttpRequest, pk: int) -> HttpResponse:
    """A reader's public page: name, picture, bio and (from the comments app) their
    published comments. Never the email. Deleted and disabled accounts are a 404."""
    profile_user = get_object_or_404(User, pk=pk, is_active=True, is_deleted=False)
    # Other apps add to this page without accounts importing them: each dotted path in
    # ACCOUNTS_PROFILE_SECTIONS is a callable (request, profile_user) -> HTML, printed in
    # order under the profile (plain strings are escaped, SafeStrings printed as markup).
    sections = [
        conditional_escape(import_string(path)(request, profile_user))
        for path in getattr(settings, "ACCOUNTS_PROFILE_SECTIONS", ())
    ]
    context = {"profile_user": profile_user, "sections": sections}
    return render(request, "accounts/profile.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    """Edit display name, picture, bio and notification choices."""
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, instance=user)
        if form.is_valid():
            data = form.cleaned_data
            services.update_profile(
                user=user,
                display_name=data["display_name"],
                bio=data["bio"],
                notify_on_reply=data["notify_on_reply"],
                notify_on_moderation=data["notify_on_moderation"],
                avatar_bytes=form.avatar_bytes,
                remove_avatar=data.get("remove_avatar", False),
            )
            messages.success(request, "Your profile is saved.")
            return redirect("accounts:profile_edit")
        # The bound form keeps what was typed; the instance must not show half-applied
        # values (ModelForm validation writes them onto it).
        user.refresh_from_db()
    else:
        form = ProfileForm(instance=user)
    # Other apps' settings for this reader (ACCOUNTS_SETTINGS_SECTIONS), under the form.
    sections = [
        conditional_escape(import_string(path)(request, user))
        for path in getattr(settings, "ACCOUNTS_SETTINGS_SECTIONS", ())
    ]
    return render(request, "accounts/profile_edit.html", {"form": form, "sections": sections})


@login_required
@require_safe
def data_export(request: HttpRequest) -> JsonResponse:
    """Everything the site keeps about the reader, as one JSON download."""
    response = JsonResponse(
        services.export_data(user=request.user), json_dumps_params={"indent": 2}
    )
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    """Confirm with the password, then erase the personal data and sign out."""
    user = request.user
    form = DeleteAccountForm(request.POST or None, user=user)
    if request.method == "POST":
        # Wrong passwords here count against allauth's re-authentication limit, so this
        # page cannot be used to guess a password either.
        if not ratelimit.consume(request, action="reauthenticate", user=user):
            form.add_error(None, "Too many attempts. Wait a few minutes and try again.")
        elif form.is_valid():
            services.delete_account(user=user)
            logout(request)
            messages.success(
                request, "Your account is deleted. Your comments now show as [deleted]."
            )
            return redirect(reverse("articles:home"))
    return render(request, "accounts/delete.html", {"form": form})


@csrf_exempt  # the signed token is the credential: mail clients POST it without cookies
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Turn off one kind of notice from the link in the mail, without logging in.

    GET asks (link checkers in mail systems open links, and must not unsubscribe anyone);
    POST turns it off: the page's button, or a mail client's one-click List-Unsubscribe
    (RFC 8058).
    """
    found = read_unsubscribe_token(token)
    user = None
    if found is not None:
        user = User.objects.filter(pk=found[0], is_active=True, is_deleted=False).first()
    if user is None:
        return render(request, "accounts/unsubscribe.html", {"invalid": True}, status=404)
    field, label = NOTICES[found[1]]
    done = False
    if request.method == "POST":
        services.set_notice(user=user, field=field, enabled=False)
        done = True
    return render(request, "accounts/unsubscribe.html", {"label": label, "done": done})


@require_http_methods(["GET", "POST"])
def resend_confirmation(request: HttpRequest) -> HttpResponse:
    """Send the confirmation link again, on request.

    The answer is the same whether or not the address has an account waiting (no account
    enumeration). Limits: allauth's one mail per address every few minutes
    (`confirm_email`, counted for unknown addresses too, so the wait says nothing) and
    `resend_confirmation` per IP.
    """
    form = ResendConfirmationForm(request.POST or None)
    status, sent_to = 200, ""
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not ratelimit.consume(request, action="resend_confirmation"):
            form.add_error(None, "Too many requests from here. Try again in an hour.")
            status = 429
        elif not services.resend_confirmation(request=request, email=email):
            form.add_error(
                None,
                "A link was sent to this address a few minutes ago. Wait three minutes "
                "before asking again; the earlier link still works.",
            )
            status = 429
        else:
            sent_to = email
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "account/resend_confirmation.html",
        {"form": form, "sent_to": sent_to},
        status=status,
    )

"""The pages where a reader claims comments imported under their address (claims.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .claims import claimable, read_claim_token, send_claim_link
from .importing.authors import claim


@login_required
@require_http_methods(["GET", "POST"])
def claim_imported(request: HttpRequest) -> HttpResponse:
    """Which of the reader's addresses have imported comments waiting; a link for one."""
    waiting = claimable(request.user)
    if request.method == "POST":
        email = request.POST.get("email", "").strip().lower()
        if email in waiting:
            send_claim_link(user=request.user, email=email, count=waiting[email])
            messages.success(request, f"We sent a link to {email}: follow it to claim them.")
        else:
            messages.error(request, "No imported comments wait under that address.")
        return redirect("comments:claim")
    return render(request, "comments/claim.html", {"waiting": waiting})


@login_required
@require_http_methods(["GET", "POST"])
def claim_confirm(request: HttpRequest) -> HttpResponse:
    """The mailed link: a page with a button (a link alone changes nothing, so mail
    scanners that open it claim nothing)."""
    token = request.POST.get("t") or request.GET.get("t", "")
    email = read_claim_token(token, request.user)
    if email is None:
        context = {
            "title": "This link does not work",
            "text": "It is older than three days, was made for another account, or the "
            "address is no longer confirmed on yours. Ask for a new one.",
        }
        return render(request, "comments/message.html", context, status=400)
    if request.method == "POST":
        with transaction.atomic():
            moved = claim(user=request.user, email=email)
        messages.success(request, f"{moved} imported comment(s) are now shown under your name.")
        return redirect(request.user.get_absolute_url())
    waiting = claimable(request.user).get(email, 0)
    return render(
        request, "comments/claim_confirm.html", {"email": email, "token": token, "waiting": waiting}
    )

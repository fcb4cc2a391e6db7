"""How django-allauth behaves on this site: names, mail and the way back to an article."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlencode, urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.account.utils import get_next_redirect_url
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest

from serving.client import client_ip

from .mail import html_part


def _with_html(message, html: str) -> EmailMultiAlternatives:
    multi = EmailMultiAlternatives(
        message.subject,
        message.body,
        message.from_email,
        message.to,
        headers=message.extra_headers,
    )
    multi.attach_alternative(html, "text/html")
    return multi


# The links allauth puts in its mails (confirm, reset, sign up), built from the request.
MAILED_LINKS = ("activate_url", "password_reset_url", "signup_url")


def on_site(url: str) -> str:
    """`url` with the scheme and host the site is served on (SITE_URL), whatever Host and
    scheme the request that mailed it came with: a link in a mail must open for the
    reader, and must never point where a forged header said."""
    site = urlsplit(settings.SITE_URL)
    bits = urlsplit(url)
    return urlunsplit((site.scheme, site.netloc, bits.path, bits.query, bits.fragment))


def user_display(user) -> str:
    """ACCOUNT_USER_DISPLAY: allauth's messages and mails greet the public name, never
    the generated username or the email."""
    return user.public_name


class AccountAdapter(DefaultAccountAdapter):
    """Site name in mails, and a `next` that survives the confirmation link."""

    def _site(self) -> SimpleNamespace:
        # The sites framework's row says "example.com" unless someone edits it; the
        # settings already know the real name and address.
        return SimpleNamespace(
            name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc or "localhost"
        )

    def get_client_ip(self, request: HttpRequest) -> str:
        """Rate limits per address use the site's one rule for the client address
        (serving/client.py), not allauth's own ALLAUTH_TRUSTED_PROXY_COUNT: with that at 0
        every reader behind the proxy shared the proxy's address and one bucket."""
        return client_ip(request) or super().get_client_ip(request)

    def format_email_subject(self, subject: str) -> str:
        return f"[{settings.SITE_NAME}] {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Mail with the real site name. To an address nobody has confirmed, the account
        (and with it the display name whoever signed up typed) stays out of the
        context: otherwise anyone could mail their words to any address by signing it
        up under a "name" such as "URGENT visit https://evil.example"."""
        context = {"current_site": self._site(), **context}
        for key in MAILED_LINKS:
            if isinstance(context.get(key), str):
                context[key] = on_site(context[key])
        if not EmailAddress.objects.filter(email__iexact=email, verified=True).exists():
            context.pop("user", None)
        super().send_mail(template_prefix, email, context)

    def render_mail(self, template_prefix, email, context, headers=None):
        """allauth's mails keep their text and gain an HTML part with the site's name."""
        message = super().render_mail(template_prefix, email, context, headers=headers)
        if not getattr(message, "alternatives", None) and message.content_subtype == "plain":
            html = html_part(subject=message.subject, text=message.body)
            message = _with_html(message, html)
        return message

    def get_phone(self, user) -> None:
        """The site keeps no phone numbers. allauth's headless API still serves its phone
        endpoints, and its default adapter raises NotImplementedError here (a 500 on
        GET /_allauth/app/v1/account/phone): the truthful answer is "none"."""
        return None

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation) -> str:
        """The link in the confirmation mail carries the page the reader came from, so
        confirming lands them back on the article even in another browser. (In the same
        browser allauth resumes the pending sign-in and uses the same `next` anyway.)"""
        url = super().get_email_confirmation_url(request, emailconfirmation)
        next_url = get_next_redirect_url(request) if request is not None else None
        if next_url and next_url.startswith("/") and not next_url.startswith("//"):
            url = f"{url}?{urlencode({'next': next_url})}"
        return url

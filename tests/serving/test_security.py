"""Security headers, deploy checks, request limits and error pages."""

import os
import secrets
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests import forkserver
from tests.factories import ArticleFactory

ROOT = Path(__file__).resolve().parents[2]


def _production_env(**extra) -> dict:
    # Production never has the tests' cheap hasher (tests/conftest.py).
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and k != "FAST_PASSWORD_HASHER"
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="example.org",
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        **extra,
    )
    return env


def test_check_deploy_is_clean_with_production_settings():
    result = forkserver.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_about_the_tests_cheap_hasher():
    result = forkserver.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(FAST_PASSWORD_HASHER="1"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "serving.W001" in result.stdout + result.stderr


def test_production_uses_cached_template_loader_and_secure_cookies():
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.template import engines\n"
        "loaders = engines['django'].engine.template_loaders\n"
        "print(type(loaders[0]).__module__)\n"
        "print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE,"
        " settings.SESSION_COOKIE_HTTPONLY, settings.SECURE_HSTS_SECONDS)\n"
    )
    result = forkserver.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split("\n")
    assert lines[0] == "django.template.loaders.cached"
    assert lines[1] == "True True True 31536000"


@pytest.fixture
def production(settings):
    """The HTTPS settings `DEBUG=0` turns on (newsroom/settings/security.py), applied in-process."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True


@pytest.mark.django_db
def test_security_headers_on_pages(client, production):
    article = ArticleFactory()
    for url in ("/", article.get_absolute_url(), "/search/?q=harbour", "/no-such-page/"):
        response = client.get(url, secure=True)
        assert response.status_code in (200, 404), url
        csp = response["Content-Security-Policy"]
        for directive in (
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "script-src 'self'",
            "style-src 'self'",
        ):
            assert directive in csp, (url, directive)
        assert "unsafe-inline" not in csp
        assert response["Strict-Transport-Security"].startswith("max-age=31536000")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "camera=()" in response["Permissions-Policy"]
        assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_cached_pages_get_the_headers_too(client, production, settings):
    settings.PAGE_CACHE_TIMEOUT = 600
    article = ArticleFactory()
    client.get(article.get_absolute_url(), secure=True)
    hit = client.get(article.get_absolute_url(), secure=True)
    assert hit["X-Page-Cache"] == "hit"
    assert "object-src 'none'" in hit["Content-Security-Policy"]
    assert "Strict-Transport-Security" in hit
    assert "Permissions-Policy" in hit
    assert hit["X-Frame-Options"] == "DENY"
    assert hit["X-Content-Type-Options"] == "nosniff"
    assert hit["Content-Length"] == str(len(hit.content))


@pytest.mark.django_db
def test_http_redirects_to_https_in_production(client, production):
    response = client.get("/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.django_db
def test_session_cookie_is_secure_httponly_samesite(client, production, reader):
    client.force_login(reader)
    client.get("/", secure=True)
    from django.conf import settings

    assert settings.SESSION_COOKIE_SECURE and settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"


@pytest.mark.django_db
def test_login_response_sets_hardened_cookies(production):
    client = Client()
    response = client.get("/accounts/login/", secure=True)
    cookie = response.cookies["csrftoken"]
    assert cookie["secure"] and cookie["samesite"] == "Lax"


# Request limits ---------------------------------------------------------------------


def _form_client() -> Client:
    """A client holding a CSRF cookie, so the CSRF check goes on to read the form."""
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    assert "csrftoken" in client.cookies
    return client


@pytest.mark.django_db
def test_body_over_the_limit_is_413_with_a_message(settings):
    settings.MAX_REQUEST_BODY_BYTES = 10_000
    client = Client()
    response = client.post("/accounts/login/", {"big": "x" * 20_000})
    assert response.status_code == 413
    assert "too much to send" in response.content.decode()


@pytest.mark.django_db
def test_too_many_form_fields_is_400(settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    client = _form_client()
    data = {f"field{n}": "1" for n in range(50)}
    response = client.post("/accounts/login/", data)
    assert response.status_code == 400
    assert "could not understand" in response.content.decode()


@pytest.mark.django_db
def test_form_data_over_the_memory_limit_is_400(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = _form_client()
    response = client.post("/accounts/login/", {"login": "x" * 5000})
    assert response.status_code == 400


@pytest.mark.django_db
def test_too_many_files_is_400(settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    client = _form_client()
    files = {f"f{n}": SimpleUploadedFile(f"{n}.txt", b"hi") for n in range(5)}
    response = client.post("/accounts/login/", files)
    assert response.status_code == 400


@pytest.mark.django_db
def test_bad_content_length_is_400():
    client = Client()
    response = client.generic("POST", "/", b"", CONTENT_LENGTH="lots")
    assert response.status_code == 400


# Error pages --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 403, 404, 413, 429, 500, 503])
def test_error_pages_render_in_site_style_with_a_way_home(status):
    from serving.errors import render_error

    response = render_error(None, status)
    body = response.content.decode()
    assert response.status_code == status
    # 429 is the accounts app's own page ("Too many attempts"); the rest share error.html.
    assert f"Error {status}" in body or (status == 429 and "Too many attempts" in body)
    assert 'class="site-header"' in body
    assert 'href="/"' in body


@pytest.mark.django_db
def test_404_page_for_readers(client):
    response = client.get("/articles/nothing-here/")
    assert response.status_code == 404
    assert "could not find that page" in response.content.decode()


@pytest.mark.django_db
def test_unexpected_error_is_a_styled_500(settings):
    from serving.errors import server_error

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        response = server_error(None)
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


@pytest.mark.django_db
def test_the_plain_policy_is_django_csps_own_and_follows_the_settings(client, settings):
    """serving.middleware.CSPMiddleware builds the policy once for plain responses: the
    same header django-csp builds, a new one when the settings change; responses with a
    nonce or a policy of their own still get django-csp's own handling."""
    from csp.decorators import csp_update
    from csp.utils import build_policy
    from django.http import HttpResponse
    from django.test import RequestFactory

    from serving.middleware import CSPMiddleware

    def nonce_view(request):
        return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")

    assert client.get("/").headers["Content-Security-Policy"] == build_policy()
    request = RequestFactory().get("/inline/")
    header = CSPMiddleware(nonce_view)(request)["Content-Security-Policy"]
    assert f"'nonce-{request._csp_nonce}'" in header
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {"default-src": ["'self'"], "img-src": ["data:"]}
    }
    assert client.get("/about/").headers["Content-Security-Policy"] == build_policy()
    assert "img-src data:" in build_policy()

    @csp_update({"img-src": ["https://maps.example"]})
    def map_view(request):
        return HttpResponse("map")

    header = CSPMiddleware(map_view)(RequestFactory().get("/map/"))["Content-Security-Policy"]
    assert "img-src data: https://maps.example" in header

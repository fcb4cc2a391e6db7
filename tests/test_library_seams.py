"""What the site relies on inside its libraries, beyond their documented APIs, pinned here so
an upgrade that changes it fails one named test instead of breaking the site quietly.

- django-csp: serving.middleware.CSPMiddleware reads the attributes csp's decorators set
  on a response (`_csp_config`, `_csp_update`, `_csp_replace`, `_csp_exempt`, each with a
  report-only `_ro` twin) to build the common policy once instead of per request.
- Django's Redis cache: serving.cache_backend.ReusingRedisCacheClient keeps one redis.Redis
  per connection pool, through RedisCacheClient's `_get_connection_pool` and `_client`.
- django-tasks-db: jobs.bulk.enqueue_many writes DBTaskResult rows with one INSERT, with
  ids from the backend's `_get_id`, and must write what `task.enqueue` writes.
- django-allauth headless: accounts.openapi serves the OpenAPI document allauth's views
  build per request (`allauth.headless.spec.internal.schema.get_schema`), built once per
  script prefix, in place of those views.
"""

from __future__ import annotations

import pytest
from csp.decorators import csp, csp_exempt, csp_replace, csp_update
from django.core.cache.backends.redis import RedisCacheClient
from django.http import HttpResponse
from django.test import RequestFactory

from serving.middleware import CSP_RESPONSE_ATTRS


@pytest.mark.parametrize(
    ("decorate", "attribute"),
    [
        (csp({"DIRECTIVES": {"img-src": ["'self'"]}}), "_csp_config"),
        (csp_update({"DIRECTIVES": {"img-src": ["https:"]}}), "_csp_update"),
        (csp_replace({"DIRECTIVES": {"img-src": ["https:"]}}), "_csp_replace"),
        (csp_exempt(), "_csp_exempt"),
    ],
)
def test_csp_decorators_mark_the_response_with_the_attributes_the_middleware_reads(
    decorate, attribute
):
    view = decorate(lambda request: HttpResponse("ok"))
    response = view(RequestFactory().get("/"))
    assert getattr(response, attribute, None)
    if attribute != "_csp_exempt":
        assert attribute in CSP_RESPONSE_ATTRS


def test_django_redis_client_has_the_pool_and_client_hooks_we_reuse():
    client = RedisCacheClient(["redis://127.0.0.1:1/0"])
    pool = client._get_connection_pool(write=True)
    assert client._client(connection_pool=pool).connection_pool is pool


@pytest.mark.django_db
def test_bulk_enqueue_writes_the_rows_enqueue_writes(settings):
    from django_tasks_db.models import DBTaskResult

    from jobs.bulk import enqueue_many
    from tests.jobs.tasks import add

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    one = add.enqueue(1, 1)
    assert enqueue_many(add, [(2, 2), (3, 3)]) == 2
    rows = {r.args_kwargs["args"][0]: r for r in DBTaskResult.objects.all()}
    assert set(rows) == {1, 2, 3}
    assert (
        rows[2].args_kwargs
        == {"args": [2, 2], "kwargs": {}}
        == {**rows[1].args_kwargs, "args": [2, 2]}
    )
    fields = [
        f.attname for f in DBTaskResult._meta.concrete_fields if f.name not in {"id", "args_kwargs"}
    ]
    for name in (2, 3):
        for field in fields:
            if field in {"enqueued_at", "run_after"}:
                continue
            assert getattr(rows[name], field) == getattr(rows[1], field), field
    assert DBTaskResult.objects.get(id=one.id).task_path == rows[2].task_path


@pytest.mark.parametrize("fmt", ["json", "yaml"])
@pytest.mark.parametrize("prefix", ["/", "/news/"])
def test_allauths_openapi_document_is_what_allauth_serves_built_once(fmt, prefix):
    from allauth.headless.spec import views as allauth_views
    from django.urls import set_script_prefix

    from accounts import openapi

    views = {
        "json": (openapi.OpenAPIJSONView, allauth_views.OpenAPIJSONView),
        "yaml": (openapi.OpenAPIYAMLView, allauth_views.OpenAPIYAMLView),
    }[fmt]
    openapi.document.cache_clear()
    set_script_prefix(prefix)  # as the WSGI handler does from SCRIPT_NAME
    try:
        ours, again, theirs = (
            view.as_view()(RequestFactory().get(f"/_allauth/openapi.{fmt}"))
            for view in (views[0], views[0], views[1])
        )
    finally:
        set_script_prefix("/")
    assert ours.status_code == again.status_code == theirs.status_code == 200
    assert ours["Content-Type"] == theirs["Content-Type"]
    assert ours["Content-Disposition"] == theirs["Content-Disposition"]
    assert ours.content == again.content == theirs.content
    info = openapi.document.cache_info()
    assert (info.misses, info.hits) == (1, 1)  # the second answer was not built again


def test_allauths_openapi_document_is_served_by_ours_at_its_address(client):
    from accounts import openapi

    openapi.document.cache_clear()
    for _ in range(2):
        response = client.get("/_allauth/openapi.json?anything=1")
        assert "/_allauth/app/v1/auth/login" in response.json()["paths"]
    assert openapi.document.cache_info().hits == 1


def test_allauths_openapi_document_follows_a_changed_setting(client, settings):
    from accounts import openapi

    before = client.get("/_allauth/openapi.json").json()
    assert "/_allauth/app/v1/auth/login" in before["paths"]
    settings.HEADLESS_CLIENTS = ("app", "browser")  # the paths then name their client
    after = client.get("/_allauth/openapi.json").json()
    assert after != before and openapi.document.cache_info().misses >= 1

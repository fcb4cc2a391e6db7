"""/healthz and /readyz for load balancers and orchestrators (docs/deployment.md).

`/healthz` (liveness): the process answers; it touches neither the database nor the
cache, so a database outage never gets healthy app servers restarted. `/readyz`
(readiness): the database, the shared cache and the task queue each answer within
READINESS_TIMEOUT seconds, else a 503 naming what failed, so a load balancer stops
sending readers to a server that could only give them errors. Neither is ever cached.
"""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection, connections
from django.http import HttpRequest, HttpResponse
from django_tasks_db.models import DBTaskResult


def healthz(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("ok\n", content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    """A round trip to the shared cache. The site's Redis backend answers "miss" while
    Redis is down (pages still come from the database), so this asks Redis itself."""
    shared = caches["default"]
    if isinstance(shared, RedisCache):
        shared._cache.get_client(write=True).ping()
        return
    key = f"readyz:{uuid.uuid4().hex}"
    shared.set(key, 1, timeout=5)
    if shared.get(key) != 1:
        raise RuntimeError("the cache did not keep a value")
    shared.delete(key)


def _tasks() -> None:
    """The task queue's table answers (the workers claim their work from it)."""
    DBTaskResult.objects.ready().order_by().values_list("pk")[:1].exists()


CHECKS = {"database": _database, "cache": _cache, "tasks": _tasks}


def _run(check) -> str:
    try:
        check()
        return "ok"
    except Exception as exc:  # any failure is the answer, not an error of this page
        return f"{type(exc).__name__}: {exc}"[:300] or type(exc).__name__
    finally:
        # Each check runs in a thread of its own: its database connection ends with it.
        connections.close_all()


def readiness() -> dict[str, str]:
    """Each check's result ("ok" or the error), all run at once, each within the timeout."""
    timeout = float(getattr(settings, "READINESS_TIMEOUT", 1.0))
    pool = ThreadPoolExecutor(max_workers=len(CHECKS), thread_name_prefix="readyz")
    try:
        futures = {name: pool.submit(_run, check) for name, check in CHECKS.items()}
        results = {}
        for name, future in futures.items():
            try:
                results[name] = future.result(timeout=timeout)
            except FutureTimeout:
                results[name] = f"no answer within {timeout:g} s"
        return results
    finally:
        pool.shutdown(wait=False)  # a check still waiting finishes on its own


def readyz(request: HttpRequest) -> HttpResponse:
    checks = readiness()
    ready = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if ready else "unavailable", "checks": checks}
    response = HttpResponse(
        json.dumps(body), status=200 if ready else 503, content_type="application/json"
    )
    response["Cache-Control"] = "no-store"
    return response

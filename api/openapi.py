"""What the OpenAPI document says about errors, so that it says what the API does.

django-ninja documents every response as `application/json`; ours are problem details
(`application/problem+json`, api/problems.py) whenever the status is an error. And some
errors happen to every operation whatever its view says: the request limit's 429, a body
that is not a JSON object or not Unicode (400), a body too large (413). `document_errors`
rewrites the generated document once: every error response under the problem media type,
the ones every operation can give added, and each status's `code` values listed (an enum
on `code`, and in the description) from what the views declare with `problem_codes()`.
"""

from __future__ import annotations

from http import HTTPStatus

PROBLEM_MEDIA = "application/problem+json"
PROBLEM_REF = "#/components/schemas/Problem"
CODES_KEY = "x-problem-codes"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")

# Codes any operation may answer with, by status (api/boundary.py, api/urls.py,
# api/middleware.py): (when it applies, codes).
EVERY = {429: ["rate_limited"]}
WITH_PARAMETERS = {422: ["invalid"]}
WITH_BODY = {400: ["invalid_body", "invalid_unicode"], 413: [], 422: ["invalid"]}
SIGNED_IN = {401: ["not_authenticated"], 403: []}


def problem_codes(codes: dict[int, list[str]]) -> dict:
    """`openapi_extra` for an operation: the `code` values it answers with, by status."""
    return {CODES_KEY: {str(status): list(names) for status, names in codes.items()}}


def document_errors(schema: dict) -> dict:
    for item in schema.get("paths", {}).values():
        for method in METHODS:
            if method in item:
                _operation(item[method])
    return schema


def _operation(op: dict) -> None:
    declared = {int(s): names for s, names in op.pop(CODES_KEY, {}).items()}
    codes: dict[int, set[str]] = {}
    groups = [EVERY, declared]
    if op.get("parameters"):
        groups.append(WITH_PARAMETERS)
    if "requestBody" in op:
        groups.append(WITH_BODY)
    if op.get("security"):
        groups.append(SIGNED_IN)
    for group in groups:
        for status, names in group.items():
            codes.setdefault(status, set()).update(names)
    # ninja keys responses by int; the JSON document by string: one spelling, strings.
    responses = {str(s): r for s, r in op.get("responses", {}).items()}
    for status in {int(s) for s in responses if s.isdigit() and int(s) >= 400} | set(codes):
        responses[str(status)] = _response(status, sorted(codes.get(status, ())))
    op["responses"] = dict(sorted(responses.items()))


def _response(status: int, codes: list[str]) -> dict:
    phrase = HTTPStatus(status).phrase
    schema: dict = {"$ref": PROBLEM_REF}
    description = f"{phrase}: a problem details body."
    if codes:
        schema = {"allOf": [schema, {"type": "object", "properties": {"code": {"enum": codes}}}]}
        description = f"{phrase}: a problem details body; `code` is one of {', '.join(codes)}."
    response: dict = {"description": description, "content": {PROBLEM_MEDIA: {"schema": schema}}}
    if status == 429:
        response["headers"] = {
            "Retry-After": {
                "description": "Seconds to wait before trying again.",
                "schema": {"type": "integer"},
            }
        }
    return response

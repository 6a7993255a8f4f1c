"""The error answers every protected route can give, documented in the OpenAPI schema.

Clients (and schemathesis) read the schema: a 401 or 403 that is not documented there is a
surprise. The shapes are what app.py's handlers return.
"""

from typing import Any

from pydantic import BaseModel


class ErrorOut(BaseModel):
    detail: str


class ValidationIssue(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(BaseModel):
    detail: str
    errors: list[ValidationIssue]


_DESCRIPTIONS = {
    400: "The request is well-formed but not acceptable; `detail` says why.",
    401: "Missing, invalid or expired credentials (`WWW-Authenticate: Bearer`).",
    403: "Authenticated, but not allowed: not your user, or not an admin.",
    404: "Not found.",
    409: "Conflicts with the current state.",
    422: "Validation failed; `detail` sums up `errors`.",
    429: "Too many requests; retry after `Retry-After` seconds.",
    502: "An upstream service (Google) failed to answer.",
    503: "The service is not configured for this (e.g. no Google OAuth client); `detail` says how.",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    responses: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        entry: dict[str, Any] = {
            "model": ValidationErrorOut if code == 422 else ErrorOut,
            "description": _DESCRIPTIONS[code],
        }
        if code == 429:
            entry["headers"] = {
                "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}
            }
        responses[code] = entry
    return responses


# What any route behind authentication may answer besides its own results.
PROTECTED = error_responses(400, 401, 403, 404, 409, 422)

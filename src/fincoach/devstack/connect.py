"""Connecting a Gmail mailbox over HTTP as one browser does: start, consent, callback."""

import uuid
from typing import Any
from urllib.parse import urlsplit

import httpx


class ConnectFailed(RuntimeError):
    """A step of the connect flow did not answer as expected (the message says which)."""


def connect_gmail(
    api_url: str, *, token: str, user_id: uuid.UUID | str, login_hint: str | None = None
) -> dict[str, Any]:
    """Connect `user_id`'s Gmail through the API's OAuth flow; returns the callback's JSON.

    One client keeps the cookies from start to callback, like one browser: the callback only
    connects in the browser holding the start's binding cookie. The consent page must approve
    at once (the Gmail emulator does; Google asks a person). `login_hint` picks the account at
    the emulator (default: the user's email).
    """
    params = {"login_hint": login_hint} if login_hint else {}
    with httpx.Client(timeout=30) as browser:
        started = browser.get(
            f"{api_url}/api/v1/oauth/google/start/{user_id}",
            params=params,
            headers={"Authorization": f"Bearer {token}"},
        )
        _expect(started, 200, "start")
        consent = browser.get(started.json()["authorization_url"])
        _expect(consent, 302, "consent")
        location = urlsplit(consent.headers["location"])
        back = browser.get(f"{api_url}{location.path}?{location.query}")
        _expect(back, 200, "callback")
    answer: dict[str, Any] = back.json()
    return answer


def _expect(answer: httpx.Response, status: int, step: str) -> None:
    if answer.status_code != status:
        raise ConnectFailed(f"gmail connect, {step}: {answer.status_code} {answer.text[:500]}")

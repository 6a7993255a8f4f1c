"""The Gmail source's pure parts: query building, the quota meter, the retry policy."""

import json
from datetime import UTC, datetime

import httplib2  # type: ignore[import-untyped]
import pytest
from googleapiclient.errors import BatchError, HttpError

from fincoach.mail.base import QuotaWait, TimeWindow
from fincoach.mail.gmail import window_query
from fincoach.mail.gmail_limiter import UserRateLimiter, limiter_for
from fincoach.mail.gmail_retry import (
    Backoff,
    call_with_retry,
    is_retryable,
    retry_after,
    short_reason,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _http_error(status: int, reason: str = "", headers: dict[str, str] | None = None) -> HttpError:
    resp = httplib2.Response({"status": status, **(headers or {})})
    body = {"error": {"code": status, "message": "m", "errors": [{"reason": reason}]}}
    return HttpError(resp, json.dumps(body).encode())


def test_window_query_uses_epoch_seconds_rounded_outwards() -> None:
    window = TimeWindow(
        since=datetime(2026, 5, 1, 0, 0, 0, 500_000, tzinfo=UTC),
        until=datetime(2026, 6, 1, 0, 0, 0, 250_000, tzinfo=UTC),
    )
    assert window_query(window) == "after:1777593600 before:1780272001"
    assert window_query(TimeWindow(), " -category:social ") == "-category:social"
    assert window_query(TimeWindow(since=window.since), "x") == "after:1777593600 x"


def test_limiter_allows_a_minute_burst_then_paces_at_the_rate() -> None:
    clock = FakeClock()
    limiter = UserRateLimiter(600, clock=clock, sleep=clock.sleep)  # 10 units/s
    assert limiter.acquire(600) == 0.0
    assert limiter.wait_time(50) == pytest.approx(5.0)
    assert limiter.acquire(50) == pytest.approx(5.0)
    assert clock.slept == [pytest.approx(5.0)]
    clock.now += 2.0
    assert limiter.available() == pytest.approx(20.0)


def test_limiter_refuses_to_wait_past_the_bound_and_takes_nothing() -> None:
    clock = FakeClock()
    limiter = UserRateLimiter(60, clock=clock, sleep=clock.sleep)  # 1 unit/s
    limiter.acquire(60)
    with pytest.raises(QuotaWait) as caught:
        limiter.acquire(30, max_wait=10)
    assert caught.value.retry_after == pytest.approx(30.0)
    assert caught.value.status_code == 429
    assert limiter.available() == pytest.approx(0.0)
    assert clock.slept == []


def test_limiter_reservations_queue_and_refunds_give_back() -> None:
    clock = FakeClock()
    limiter = UserRateLimiter(60, clock=clock, sleep=lambda s: None)  # sleeps are not replayed
    limiter.acquire(60)
    assert limiter.acquire(10) == pytest.approx(10.0)
    assert limiter.wait_time(10) == pytest.approx(20.0)  # behind the first reservation
    limiter.refund(10)
    assert limiter.wait_time(10) == pytest.approx(10.0)
    assert limiter.wait_time(10_000) == pytest.approx(60.0)  # clamped to a full bucket


def test_limiters_are_per_user_and_shared_within_the_process() -> None:
    first = limiter_for("A@example.com", 6000)
    assert limiter_for("a@example.com", 6000) is first
    assert limiter_for("b@example.com", 6000) is not first


@pytest.mark.parametrize(
    ("status", "reason", "retryable"),
    [
        (429, "rateLimitExceeded", True),
        (503, "backendError", True),
        (500, "", True),
        (403, "userRateLimitExceeded", True),
        (403, "rateLimitExceeded", True),
        (403, "forbidden", False),
        (404, "notFound", False),
        (400, "invalidArgument", False),
    ],
)
def test_retryable_statuses(status: int, reason: str, retryable: bool) -> None:
    assert is_retryable(_http_error(status, reason)) is retryable


def test_retry_after_and_reasons_are_read_safely() -> None:
    assert retry_after(_http_error(429, headers={"retry-after": "7"})) == 7.0
    assert retry_after(_http_error(429, headers={"retry-after": "soon"})) is None
    assert retry_after(_http_error(503)) is None
    assert short_reason(_http_error(403, "userRateLimitExceeded")) == (
        "gmail http 403 (userRateLimitExceeded)"
    )
    broken = BatchError("not multipart")
    assert is_retryable(broken)
    assert short_reason(broken) == "gmail batch answer unreadable"
    assert (
        short_reason(ConnectionResetError("secret body"))
        == "connection error (ConnectionResetError)"
    )


def test_backoff_doubles_from_one_second_and_honours_retry_after() -> None:
    policy = Backoff(jitter=0.0, cap=8.0)
    assert [policy.delay(n) for n in range(5)] == [1.0, 2.0, 4.0, 8.0, 8.0]
    assert policy.delay(0, retry_after=30.0) == 30.0
    assert Backoff().delay(0) <= 1.1


def test_call_with_retry_retries_then_gives_up_with_the_last_error() -> None:
    clock = FakeClock()
    answers: list[object] = [_http_error(503), ConnectionResetError(), {"ok": True}]

    def call() -> object:
        answer = answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    assert call_with_retry(call, backoff=Backoff(jitter=0.0), sleep=clock.sleep) == {"ok": True}
    assert clock.slept == [1.0, 2.0]

    def always_429() -> object:
        raise _http_error(429, "rateLimitExceeded", {"retry-after": "3"})

    clock.slept.clear()
    with pytest.raises(HttpError):
        call_with_retry(always_429, backoff=Backoff(attempts=3, jitter=0.0), sleep=clock.sleep)
    assert clock.slept == [3.0, 3.0]

    def forbidden() -> object:
        raise _http_error(403, "forbidden")

    clock.slept.clear()
    with pytest.raises(HttpError):
        call_with_retry(forbidden, backoff=Backoff(), sleep=clock.sleep)
    assert clock.slept == []

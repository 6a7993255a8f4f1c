"""The access log keeps the path of every request, never its query string.

The finding: uvicorn's access log kept full query strings — OAuth `code` and `state`,
`login_hint` addresses, the ledger's `merchant=` filters. The API runs here under a real
uvicorn, configured as `fincoach api` configures it, and every captured log line is searched.
"""

import logging
import uuid
from collections.abc import Iterator
from urllib.parse import quote, quote_plus

import httpx
import pytest

from fincoach.app import create_app
from fincoach.config import Settings
from tests.api.serving import served

pytestmark = pytest.mark.postgres

CODE = "4/0AcodeNOBODYmayLOG-81f3"
STATE = "gAAAAAstateNOBODYmayLOG-2c9d"
ADDRESS = "alice.private-9e1@example.com"
MERCHANT = "Dr Kumar Psychiatry Clinic"


@pytest.fixture(autouse=True)
def _access_logger_reaches_caplog() -> Iterator[None]:
    """Another test's uvicorn (started with uvicorn's own logging config) may have left the
    access logger at WARNING and not propagating; this test reads it as `fincoach api` leaves
    it: INFO, propagating to the root handlers."""
    logger = logging.getLogger("uvicorn.access")
    saved = (logger.level, logger.propagate, logger.disabled)
    logger.setLevel(logging.INFO)
    logger.propagate, logger.disabled = True, False
    yield
    logger.level, logger.propagate, logger.disabled = saved


def test_no_query_string_reaches_the_access_log(
    api_settings: Settings, broker: object, caplog: pytest.LogCaptureFixture
) -> None:
    # The test's own HTTP client logs the URLs it calls; it is not the service. (Set first:
    # set_level also sets the capturing handler's level, which the second call lowers again.)
    caplog.set_level(logging.WARNING, logger="httpx")
    caplog.set_level(logging.DEBUG)
    user = uuid.uuid4()
    requests = [
        ("/api/v1/oauth/google/callback", {"code": CODE, "state": STATE, "scope": "gmail"}),
        (f"/api/v1/oauth/google/start/{user}", {"login_hint": ADDRESS}),
        (f"/api/v1/transactions/{user}", {"merchant": MERCHANT, "min_amount": "1234.56"}),
    ]
    with served(create_app(api_settings)) as port, httpx.Client(timeout=30) as client:
        for path, params in requests:
            answer = client.get(f"http://127.0.0.1:{port}{path}", params=params)
            assert answer.status_code in (400, 401), answer.text

    access = [r for r in caplog.records if r.name == "uvicorn.access"]
    logged = [record.getMessage() for record in access]
    # The access log still says what was asked and answered, by path.
    for path, _ in requests:
        assert any(f"GET {path} HTTP/1.1" in line for line in logged), (path, logged)
    everything = caplog.text + " ".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    for value in (CODE, STATE, ADDRESS, MERCHANT):
        # As sent (percent-encoded) and as written; and a distinctive piece of each.
        for form in (value, quote_plus(value), quote(value), value.split("-")[0][-9:]):
            assert form not in everything, form
    assert "NOBODYmayLOG" not in everything and "Psychiatry" not in everything
    assert "?" not in " ".join(logged)
    assert "1234.56" not in everything

"""Security tests run against the same app and fixtures as the API tests."""

from tests.api.conftest import (  # noqa: F401 (fixtures)
    anonymous,
    api_settings,
    broker,
    client,
    mail_dir,
    running_app,
    sessions,
)

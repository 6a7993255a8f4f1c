"""One error hierarchy: every domain error carries a message and an HTTP status."""


class FincoachError(Exception):
    """Base of every error FinCoach raises on purpose."""

    status_code = 500

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code


class NotFound(FincoachError):
    status_code = 404


class BadRequest(FincoachError):
    status_code = 400


class Conflict(FincoachError):
    status_code = 409


class MalformedEmail(FincoachError):
    """A message that cannot be decoded. Its reason must never quote the email's content."""

    status_code = 422

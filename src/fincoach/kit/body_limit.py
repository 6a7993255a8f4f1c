"""A limit on request bodies, as pure ASGI middleware (no body is buffered to check it).

Why here and not in a route: FastAPI reads and parses a body before any dependency runs, so
without a limit an anonymous client can make the API hold any amount of memory before it learns
that it is not authenticated (a 200 MB `POST /api/v1/users` once grew the API by 600 MB).

- A `Content-Length` above the limit is answered 413 at once: the body is never read, and the
  server (uvicorn) stops reading the socket and closes the connection after the answer.
- A body without a length (chunked) is counted as the app pulls it; the pull that passes the
  limit raises a 413 HTTPException instead of handing the bytes over, so at most one network
  read past the limit is ever in memory. FastAPI re-raises HTTPExceptions from body reading,
  and its handler answers `{"detail": reason}`; if anything else catches it first, this
  middleware answers the 413 itself when no answer has started.
"""

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class RequestBodyTooLarge(HTTPException):
    """413: the request's body is (or would be) larger than the configured limit."""

    def __init__(self, limit: int) -> None:
        # `Connection: close`: the server then drops the unread rest of the body with the
        # connection instead of reading it to find the next request.
        super().__init__(
            413,
            f"the request body is larger than the limit of {limit} bytes",
            headers={"Connection": "close"},
        )


class RequestBodyLimit:
    """Refuse request bodies larger than `max_bytes` with 413, before or while reading them."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            await _refuse(RequestBodyTooLarge(self.max_bytes), scope, receive, send)
            return

        received = 0
        answer_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise RequestBodyTooLarge(self.max_bytes)
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal answer_started
            answer_started = answer_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracked_send)
        except RequestBodyTooLarge as exc:
            if answer_started:
                raise  # too late for a 413: the server drops the connection
            await _refuse(exc, scope, receive, send)


def _declared_length(scope: Scope) -> int | None:
    """The Content-Length header as a number; None when absent or not a number.

    A malformed value never reaches us with uvicorn (h11 and httptools answer 400 first); if it
    did, the streaming count still applies.
    """
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(exc: RequestBodyTooLarge, scope: Scope, receive: Receive, send: Send) -> None:
    response = JSONResponse(
        {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
    )
    await response(scope, receive, send)

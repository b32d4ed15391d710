"""Request ids: one id per request, sent back in X-Request-ID and printed in every log line.

The reverse proxy may pass its own id (nginx: `proxy_set_header X-Request-ID $request_id;`)
so its access log, gunicorn's and Django's share one id; otherwise one is made here. The id
only correlates log lines, so a client-sent one is accepted too, but only in a plain shape
that cannot forge a log line.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
_ACCEPTED = re.compile(r"[A-Za-z0-9._-]{8,64}")
_current: ContextVar[str] = ContextVar("request_id", default="-")


def current() -> str:
    """The id of the request being served in this thread ("-" outside a request)."""
    return _current.get()


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = given if _ACCEPTED.fullmatch(given) else uuid.uuid4().hex
        token = _current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Gives every log record a `request_id` attribute for the formatter."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get()
        return True

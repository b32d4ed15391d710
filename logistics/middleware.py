from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user chose English with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a school PC with
    an English Windows would show English; the schools asked for Chinese by default.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RejectNulMiddleware:
    """Nobody types a NUL character, and PostgreSQL cannot store one in a text column: a form
    or query value holding one is refused here, for every view, with a message instead of a
    database error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        data = [request.GET]
        if request.method == "POST":
            data.append(request.POST)
        if any(
            "\x00" in value for query in data for _key, values in query.lists() for value in values
        ):
            return HttpResponseBadRequest(
                _("The form held characters that cannot be saved; please type it again."),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)

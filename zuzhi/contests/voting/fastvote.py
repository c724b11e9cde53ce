"""The short way in for public votes (投票), the busiest request a county serves.

During a public vote nearly every request is `POST /api/public/contests/{id}/votes` with a
body `{"entrant_id": n}`. Sent through Django's whole middleware stack (sessions, CSRF,
messages, locale, …) and the API's routing, such a vote costs more than twice the work of
recording it. `PublicVoteShortcut` wraps the WSGI application (zuzhi.wsgi) and answers
exactly that request itself: the same host and HTTPS checks as Django, the same service
(`services.public_vote_cast`, which the API and the public page call too), the same JSON answers, with the response headers the
security middleware would add. Anything else, or anything unusual about such a request (another
body shape, a bad host, plain HTTP where HTTPS is required), goes on to Django unchanged, so
those answers stay the API's own.
"""

import io
import json
import logging
import re
import uuid

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.core.signals import setting_changed
from django.db import close_old_connections
from django.http import Http404, JsonResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware

from zuzhi.api import NOT_FOUND, SERVER_ERROR
from zuzhi.core.context import client_ip

# The API's id bound. Importing it costs this hot path nothing per request: it is read once,
# at start-up, and zuzhi.api (ninja and pydantic) is imported here already for its messages.
from zuzhi.core.params import MAX_ID

from .services import (
    VOTE_THANKS,
    VOTER_COOKIE,
    VOTER_DEVICE_COOKIE,
    VoteRefused,
    public_vote_cast,
)

logger = logging.getLogger("django.request")

VOTE_PATH = re.compile(r"/api/public/contests/([1-9][0-9]{0,17})/votes")
MAX_BODY = 200
ANSWERS_KEPT = 100  # framed answers kept; refusals name the contest's limits, so a few each


def _unused(request):  # the two middlewares below only post-process a response here
    raise AssertionError


def _answer(data: dict, status: int) -> JsonResponse:
    """Framed as the API frames its answers (django-ninja's content type, the length that
    Django's CommonMiddleware would add, the language and Vary of its LocaleMiddleware)."""
    response = JsonResponse(data, status=status, content_type="application/json; charset=utf-8")
    response["Content-Length"] = str(len(response.content))
    response["Content-Language"] = settings.LANGUAGE_CODE
    response["Vary"] = "Accept-Language, Cookie"
    return response


class PublicVoteShortcut:
    def __init__(self, application):
        self.application = application
        self._settings_changed()
        setting_changed.connect(self._settings_changed)

    def _settings_changed(self, **kwargs):
        """The kept answers carry settings (security headers, X-Frame-Options, language):
        they are framed afresh after a change (Django's test tools announce one)."""
        self.security = SecurityMiddleware(_unused)  # reads its settings when created
        self.frame_options = XFrameOptionsMiddleware(_unused)
        self._answers: dict[tuple, tuple[str, list, bytes]] = {}

    def __call__(self, environ, start_response):
        match = None
        if environ.get("REQUEST_METHOD") == "POST":
            match = VOTE_PATH.fullmatch(environ.get("PATH_INFO", ""))
        if match is None:
            return self.application(environ, start_response)
        answer = self._vote(environ, int(match[1]))
        if answer is None:
            return self.application(environ, start_response)
        status, headers, content = answer
        start_response(status, [*headers, ("X-Request-ID", uuid.uuid4().hex)])
        return [content]

    def _framed(self, request, data: dict, status: int) -> tuple[str, list, bytes]:
        """The status line, headers and body of an answer, framed as the API's and then by
        the two middlewares. Every vote with the same answer gets the same frame (nothing in
        it depends on the request but the scheme), so each answer is framed once per scheme
        and kept: a handful of messages, a few hundred bytes each."""
        key = (status, data["message"], request.is_secure())
        framed = self._answers.get(key)
        if framed is None:
            response = self.security.process_response(request, _answer(data, status))
            response = self.frame_options.process_response(request, response)
            status_line = f"{response.status_code} {response.reason_phrase}"
            framed = (status_line, list(response.items()), response.content)
            if len(self._answers) < ANSWERS_KEPT:
                self._answers[key] = framed
        return framed

    def _vote(self, environ, contest_id: int) -> tuple[str, list, bytes] | None:
        """The answer to a well-formed vote, or None to let Django answer the request."""
        request = WSGIRequest(environ)
        try:
            request.get_host()
        except DisallowedHost:
            return None
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        if not 0 < length <= MAX_BODY or request.content_type != "application/json":
            return None
        body = request.body
        environ["wsgi.input"] = io.BytesIO(body)  # Django can still read it, if it answers
        try:
            data = json.loads(body)
        except ValueError:
            return None
        entrant_id = data.get("entrant_id") if isinstance(data, dict) and len(data) == 1 else None
        if type(entrant_id) is not int or not 0 < entrant_id <= MAX_ID:
            return None
        # What Django's request signals do that a vote needs: database connections past their
        # age, or broken, are recycled before and after. The signals themselves are not sent:
        # their other receivers (the query log kept under DEBUG, cache connections, a
        # per-request URLconf) have nothing to do here, and sending them was a fifth of the
        # short path's CPU. A receiver added to them later would not see votes.
        close_old_connections()
        try:
            public_vote_cast(
                contest_id=contest_id,
                entrant_id=entrant_id,
                token=environ.get("HTTP_X_VOTER_TOKEN") or request.COOKIES.get(VOTER_COOKIE),
                device=request.COOKIES.get(VOTER_DEVICE_COOKIE, ""),
                ip=client_ip(request),
            )
            data, status = {"message": VOTE_THANKS}, 201
        except VoteRefused as exc:
            data, status = {"message": exc.messages[0], "errors": {}}, exc.status
        except Http404:
            data, status = {"message": NOT_FOUND, "errors": {}}, 404
        except Exception:
            # Not handed on to Django: it would cast the vote a second time.
            logger.exception("Internal Server Error: %s", request.path)
            data, status = {"message": SERVER_ERROR, "errors": {}}, 500
        finally:
            close_old_connections()
        return self._framed(request, data, status)

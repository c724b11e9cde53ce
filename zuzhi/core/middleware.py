import uuid

from django.conf import settings
from django.http import HttpResponseBadRequest

from . import db_router
from .context import RequestMeta, client_ip, reset_request_meta, set_request_meta


class RequestContextMiddleware:
    """Gives every request an id and records its IP for the audit log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex
        token = set_request_meta(RequestMeta(ip=client_ip(request), request_id=request.request_id))
        try:
            response = self.get_response(request)
        finally:
            reset_request_meta(token)
        response["X-Request-ID"] = request.request_id
        return response


class RefuseNulMiddleware:
    """Answers 400 to a page request whose query or form fields hold a NUL character.

    PostgreSQL can neither store nor compare NUL, so a search box given %00 would end in a
    500 there (SQLite takes it silently). No name, code or text typed by a user contains one.
    The API refuses it in its own parser, with a JSON answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/") and (
            _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST))
        ):
            return HttpResponseBadRequest(
                "请求中含有空字符（\\u0000），无法处理。请检查输入的内容。",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


class PublicAnswerMiddleware:
    """An answer a shared cache may keep (Cache-Control: public) sets no cookie.

    The session is saved on every request (SESSION_SAVE_EVERY_REQUEST), so a signed-in
    reader's answer would carry their session cookie, which a cache could hand to the next
    reader. Placed before the session middleware, it sees the answer after it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        directives = {d.strip().lower() for d in response.get("Cache-Control", "").split(",")}
        if "public" in directives:
            response.cookies.clear()
        return response


class ContentSecurityPolicyMiddleware:
    """Adds settings.ZUZHI_CSP as the Content-Security-Policy of every answer.

    Every script, style, font and image is served from this site (no CDN), so the browser is
    told to run nothing else: an injected <script>, inline event handler or javascript: link
    does not run, and no page may be framed or post a form elsewhere.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.ZUZHI_CSP)
        return response


class ReadReplicaMiddleware:
    """Lets a request's reads go to a PostgreSQL replica, and keeps a browser that has just
    written on the primary for a few seconds (the rule is core.db_router's). Installed only
    when ZUZHI_REPLICA_DATABASE_URL is set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with db_router.request_reads(request) as reads:
            response = self.get_response(request)
        db_router.pin_writer(response, reads)
        return response

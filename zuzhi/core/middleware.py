import uuid

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

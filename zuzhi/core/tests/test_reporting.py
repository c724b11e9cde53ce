"""Error reports never show the database URL that the server copies into request.META."""

from django.test import RequestFactory
from django.views.debug import get_default_exception_reporter_filter


def test_a_database_url_in_the_request_meta_is_hidden():
    request = RequestFactory().get("/", ZUZHI_DATABASE_URL="postgres://zuzhi:s3cret@db/zuzhi")
    meta = get_default_exception_reporter_filter().get_safe_request_meta(request)
    assert "s3cret" not in str(meta)
    assert meta["ZUZHI_DATABASE_URL"] == "********************"
    assert meta["REQUEST_METHOD"] == "GET"

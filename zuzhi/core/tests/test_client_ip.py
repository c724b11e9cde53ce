"""Whose address the audit log and the per-IP limits see."""

import pytest
from django.test import RequestFactory

from zuzhi.core.context import client_ip


def request(forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", **extra)


def test_without_a_proxy_the_connection_s_address_counts(settings):
    settings.ZUZHI_BEHIND_PROXY = False
    assert client_ip(request("203.0.113.9")) == "10.0.0.2"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.9", "203.0.113.9"),
        # The client may send its own X-Forwarded-For; only the entry the proxy appended counts.
        ("1.2.3.4, 203.0.113.9", "203.0.113.9"),
        ("1.2.3.4,2001:db8::1", "2001:db8::1"),
        ("not-an-address", "10.0.0.2"),
        ("", "10.0.0.2"),
        (None, "10.0.0.2"),
    ],
)
def test_behind_the_proxy_its_last_forwarded_entry_counts(settings, forwarded, expected):
    settings.ZUZHI_BEHIND_PROXY = True
    assert client_ip(request(forwarded)) == expected

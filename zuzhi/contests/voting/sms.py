"""SMS backends (短信通道) for public-vote verification codes.

A backend is a class with `send(*, phone, message)`; settings.ZUZHI_SMS_BACKEND names it, so a
county plugs in its gateway without touching the voting rules.
"""

from collections import deque

from django.conf import settings
from django.utils.module_loading import import_string


class ConsoleSmsBackend:
    """Prints the message instead of sending it: the demo and the tests use it. The last
    messages are kept for the tests; a long-running demo does not grow with them."""

    sent: deque[tuple[str, str]] = deque(maxlen=100)

    def send(self, *, phone: str, message: str) -> None:
        ConsoleSmsBackend.sent.append((phone, message))
        print(f"[短信] {phone}：{message}", flush=True)


def sms_backend():
    return import_string(settings.ZUZHI_SMS_BACKEND)()

"""SMS backends (短信通道) for public-vote verification codes.

A backend is a class with `send(*, phone, message)`; settings.ZUZHI_SMS_BACKEND names it, so a
county plugs in its gateway without touching the voting rules.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class ConsoleSmsBackend:
    """Prints the message instead of sending it: the demo and the tests use it."""

    sent: list[tuple[str, str]] = []

    def send(self, *, phone: str, message: str) -> None:
        ConsoleSmsBackend.sent.append((phone, message))
        print(f"[短信] {phone}：{message}", flush=True)


def sms_backend():
    return import_string(settings.ZUZHI_SMS_BACKEND)()

"""Settings for the test suite: plain HTTP, fast hashing, tasks run in-process."""

import os

os.environ.setdefault("ZUZHI_SECRET_KEY", "test-secret-key-" + "x" * 40)
os.environ.setdefault("ZUZHI_HTTPS", "0")

from zuzhi.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ALLOWED_HOSTS = ["*"]
# Per-process counters are enough in tests, and conftest clears them between tests.
CACHES = {**CACHES, "shared": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}  # noqa: F405

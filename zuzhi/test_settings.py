"""Settings for the test suite: plain HTTP, fast hashing, tasks run in-process."""

import os

os.environ.setdefault("ZUZHI_SECRET_KEY", "test-secret-key-" + "x" * 40)
os.environ.setdefault("ZUZHI_HTTPS", "0")
# Most tests log in with force_login; the two-factor tests turn the requirement on themselves.
os.environ.setdefault("ZUZHI_OTP_REQUIRED_ROLES", "")
# A fixed data key (core.crypto), never a real one: the suite needs no key file or human.
os.environ.setdefault(
    "ZUZHI_DATA_KEY",
    "index:dGVzdC1pbmRleC1zZWNyZXQtb25seS1mb3ItdGVzdHM= "
    "test:dGVzdC1kYXRhLWtleS1vbmx5LWZvci10aGUtdGVzdHM=",
)

from zuzhi.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ALLOWED_HOSTS = ["*"]
# Per-process counters are enough in tests, and conftest clears them between tests.
CACHES = {**CACHES, "shared": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}  # noqa: F405
# A replica alias that is the test database itself, so that core.db_router's tests can turn
# the router on (it is off unless ZUZHI_REPLICA_DATABASE_URL is set).
DATABASES.setdefault("replica", {**DATABASES["default"], "TEST": {"MIRROR": "default"}})  # noqa: F405
# Transactional tests empty every table after each test (TRUNCATE, DELETE), which the audit
# guard refuses: it is not installed here; its own tests install it (core.audit_guard).
ZUZHI_AUDIT_GUARD = False

"""Password policy (密码策略), every message in Chinese.

Django's own validators answer in English where its Chinese catalogue has no plural form, so
the three used here are subclassed with the messages users read.
"""

import re

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

CLASSES = [
    (re.compile(r"[a-z]"), "小写字母"),
    (re.compile(r"[A-Z]"), "大写字母"),
    (re.compile(r"\d"), "数字"),
    (re.compile(r"[^a-zA-Z\d]"), "特殊字符"),
]

# The current password and this many before it may not be chosen again.
HISTORY_LENGTH = 5


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"密码至少 {self.min_length} 个字符。"


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def get_error_message(self):
        return "密码与%(verbose_name)s过于相似。"

    def get_help_text(self):
        return "密码不能与用户名等个人信息过于相似。"


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self):
        return "密码过于常见，容易被猜中，请换一个。"

    def get_help_text(self):
        return "密码不能是常见密码。"


class CharacterClassValidator:
    """At least three of: lower case, upper case, digits, other characters."""

    def validate(self, password, user=None):
        if sum(1 for rx, _ in CLASSES if rx.search(password)) < 3:
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、特殊字符中的至少三类。",
                code="password_classes",
            )

    def get_help_text(self):
        return "密码须包含大写字母、小写字母、数字、特殊字符中的至少三类。"


class NotUsernameValidator:
    def validate(self, password, user=None):
        username = getattr(user, "username", "") or ""
        if username and username.lower() in password.lower():
            raise ValidationError("密码不能包含用户名。", code="password_has_username")

    def get_help_text(self):
        return "密码不能包含用户名。"


class PasswordHistoryValidator:
    """The new password differs from the current one and the last five (历史密码)."""

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        # hashers.check_password, not user.check_password: that one may rehash and save.
        from .models import PasswordHistory
        from .selectors import password_set_by_administrator

        if user.has_usable_password() and check_password(password, user.password):
            if password_set_by_administrator(user=user):
                raise ValidationError(
                    "新密码不能与管理员设置的初始密码相同。", code="password_reused"
                )
            raise ValidationError("新密码不能与当前密码相同。", code="password_reused")

        hashes = PasswordHistory.objects.filter(user=user).order_by("-changed_at", "-pk")
        for old in hashes.values_list("password", flat=True)[:HISTORY_LENGTH]:
            if check_password(password, old):
                raise ValidationError(
                    f"新密码不能与最近 {HISTORY_LENGTH} 次用过的密码相同。",
                    code="password_reused",
                )

    def get_help_text(self):
        return f"新密码不能与当前密码及最近 {HISTORY_LENGTH} 次用过的密码相同。"

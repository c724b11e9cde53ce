"""The home page of a wide scope, kept (首页统计快照).

A province's or a city's home counts millions of members and meetings: computed on each
request it took 39 s at province size. For a user whose scope holds more than
`ZUZHI_HOME_LIVE_MAX_MEMBERS` members, the scheduled `refresh-home-figures` computes the
home's counts, charts and to-do as that user and keeps them here; the page reads them and
says when they were counted. Narrower scopes are counted live."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class HomeFigures(models.Model):
    """One user's home page figures as last computed by the worker."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="home_figures",
        verbose_name="用户",
    )
    computed_at = models.DateTimeField("统计时间")
    took_ms = models.PositiveIntegerField("用时（毫秒）", default=0)
    # Set when the user asks for a recount; the worker clears nothing: a request newer than
    # the count means one is waiting, so asking twice enqueues once.
    requested_at = models.DateTimeField("申请重新统计时间", null=True, blank=True)
    # The user's roles and scope roots when counted: figures of another scope are not shown.
    scope = models.JSONField("统计范围", default=list)
    data = models.JSONField("统计数据", default=dict, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = "首页统计快照"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.user} · {self.computed_at:%Y-%m-%d %H:%M}"

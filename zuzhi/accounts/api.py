from ninja import Router, Schema

from zuzhi.core.context import client_ip

from . import services

router = Router(tags=["认证"])

PASSWORD_EXPIRED = "密码已过期，请先登录网页修改密码。"


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


@router.post("/token", auth=None, response=TokenOut, summary="用用户名和密码换取令牌")
def token(request, payload: TokenIn):
    """Same lockout as the login page: 5 failures lock the account and the IP for 30 minutes."""
    user = services.login_authenticate(
        request=request, username=payload.username, password=payload.password, ip=client_ip(request)
    )
    if services.password_expired(user=user):
        raise services.LoginError(PASSWORD_EXPIRED)
    return {"token": services.token_issue(user=user)}

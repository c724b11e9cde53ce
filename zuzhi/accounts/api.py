from ninja import Router, Schema, Status

from zuzhi.core.context import client_ip

from . import services
from .selectors import password_set_by_administrator

router = Router(tags=["认证"])

PASSWORD_EXPIRED = "密码已过期，请先登录网页修改密码。"
FIRST_LOGIN = "首次登录请先在网页上修改密码（管理员设置的初始密码不能用于接口）。"


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


@router.post("/token", auth=None, response=TokenOut, summary="用用户名和密码换取令牌")
def token(request, payload: TokenIn):
    """Same lockout as the login page: 5 failures of one name from one address lock that name
    there for 30 minutes; many failures from one address pause that address."""
    user = services.login_authenticate(
        request=request, username=payload.username, password=payload.password, ip=client_ip(request)
    )
    if services.password_expired(user=user):
        first = password_set_by_administrator(user=user)
        raise services.LoginError(FIRST_LOGIN if first else PASSWORD_EXPIRED)
    return {"token": services.token_issue(user=user, ip=client_ip(request))}


@router.post("/logout", response={204: None}, summary="退出：撤销本次请求所用的令牌")
def logout(request):
    """The token in the Authorization header stops working at once; the user's other tokens
    (other scripts or devices) are left alone. They can be revoked on the 我的账号 page."""
    key = request.headers.get("Authorization", "").partition(" ")[2].strip()
    services.token_revoke_key(user=request.auth, key=key)
    return Status(204, None)

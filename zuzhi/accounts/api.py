from ninja import Router, Schema, Status

from zuzhi.core.context import client_ip

from . import services, two_factor
from .selectors import LoginStep, password_set_by_administrator, second_factor_step

router = Router(tags=["认证"])

PASSWORD_EXPIRED = "密码已过期，请先登录网页修改密码。"
FIRST_LOGIN = "首次登录请先在网页上修改密码（管理员设置的初始密码不能用于接口）。"
CODE_MISSING = "该账号已启用两步验证：请在 otp 中填写身份验证器当前显示的验证码。"
NOT_BOUND = "您的角色须使用两步验证：请先登录网页绑定身份验证器，再申请接口令牌。"


class TokenIn(Schema):
    username: str
    password: str
    otp: str = ""


class TokenOut(Schema):
    token: str


@router.post(
    "/token", auth=None, response=TokenOut, summary="用用户名、密码（和两步验证码）换取令牌"
)
def token(request, payload: TokenIn):
    """Same lockout as the login page: 5 failures of one name from one address lock that name
    there for 30 minutes; many failures from one address pause that address. Wrong codes count
    with wrong passwords. An account with an authenticator app gives its current code in
    `otp` (or a recovery code); a role that must use one and has none bound gets no token."""
    ip = client_ip(request)
    user = services.login_authenticate(
        request=request, username=payload.username, password=payload.password, ip=ip
    )
    if services.password_expired(user=user):
        first = password_set_by_administrator(user=user)
        raise services.LoginError(FIRST_LOGIN if first else PASSWORD_EXPIRED)
    step = second_factor_step(user=user)
    if step == LoginStep.BIND:
        raise services.LoginError(NOT_BOUND)
    if step == LoginStep.CODE:
        if not payload.otp.strip():
            raise services.LoginError(CODE_MISSING)
        two_factor.second_factor_check(user=user, code=payload.otp, ip=ip)
    token = services.token_issue(user=user, ip=ip, second_factor=step == LoginStep.CODE)
    return {"token": token}


@router.post("/logout", response={204: None}, summary="退出：撤销本次请求所用的令牌")
def logout(request):
    """The token in the Authorization header stops working at once; the user's other tokens
    (other scripts or devices) are left alone. They can be revoked on the 我的账号 page."""
    key = request.headers.get("Authorization", "").partition(" ")[2].strip()
    services.token_revoke_key(user=request.auth, key=key)
    return Status(204, None)

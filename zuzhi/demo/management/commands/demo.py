import os
import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand

DEMO_OTP_REQUIRED_ROLES = "sysadmin,auditor"


class Command(BaseCommand):
    help = "运行示范县：迁移数据库、生成演示数据，并在 http://127.0.0.1:8000 启动服务。"

    def add_arguments(self, parser):
        parser.add_argument("--password", help="演示账号密码（默认随机）")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--no-server", action="store_true", help="只准备数据，不启动服务")

    def handle(self, *args, password=None, seed=2026, no_server=False, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("数据库已就绪。")
        call_command("seed-demo", password=password, seed=seed, stdout=self.stdout)
        if no_server:
            return
        # Two-factor login: the demo asks it of the two administrators only, so the business
        # accounts open without a phone; production asks it of county, cadre and talent staff too.
        required = os.environ.get("ZUZHI_OTP_REQUIRED_ROLES", DEMO_OTP_REQUIRED_ROLES)
        self.stdout.write(
            "\n两步验证：演示环境只要求 sysadmin、auditor 绑定手机身份验证器（首次登录时扫码）；"
            "生产环境还要求县委组织部、干部科、人才办账号绑定。其他账号可在“我的账号”中自愿启用。"
            if required == DEMO_OTP_REQUIRED_ROLES
            else f"\n两步验证：要求这些角色绑定身份验证器：{required or '无'}。"
        )
        self.stdout.write(
            "\n正在启动：http://127.0.0.1:8000  （按 Ctrl+C 停止）"
            "\n后台任务（大批导入、统计报表、大批导出、补贴发放）由同时启动的 db_worker 处理。"
        )
        sys.stdout.flush()
        # The demo serves plain HTTP on loopback; fresh processes pick up these settings.
        env = {
            **os.environ,
            "ZUZHI_DEBUG": "1",
            "ZUZHI_HTTPS": "0",
            "ZUZHI_OTP_REQUIRED_ROLES": required,
        }
        sys.exit(serve_with_worker(env))


WORKER_STOP_SECONDS = 60


class _Terminated(Exception):
    """SIGTERM to the demo (kill, timeout, an editor's stop button)."""


def _terminated(signum, frame):
    raise _Terminated


def serve_with_worker(env: dict[str, str]) -> int:
    """The development server with a task worker beside it: without one the demo county's
    reports, large exports and imports would wait forever. Ctrl+C or SIGTERM stops both;
    returns the exit status."""
    manage = [sys.executable, "-m", "zuzhi.manage"]
    worker = subprocess.Popen([*manage, "db_worker", "--no-reload"], env=env)
    previous = signal.signal(signal.SIGTERM, _terminated)
    signalled = False
    try:
        code = subprocess.run(
            [*manage, "runserver", "127.0.0.1:8000", "--noreload"], env=env
        ).returncode
        return 128 - code if code < 0 else code
    except KeyboardInterrupt:
        # Ctrl+C reached the whole process group: the worker is finishing its task already.
        signalled = True
        return 0
    except _Terminated:
        return 128 + signal.SIGTERM
    finally:
        signal.signal(signal.SIGTERM, previous)
        _worker_stop(worker, signalled=signalled)


def _worker_stop(worker, *, signalled: bool) -> None:
    """db_worker finishes the task it is running on a first SIGINT or SIGTERM and aborts it
    on a second: signal it once, then wait for it."""
    if not signalled and worker.poll() is None:
        worker.terminate()
    try:
        worker.wait(timeout=WORKER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()

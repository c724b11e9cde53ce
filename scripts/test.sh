#!/usr/bin/env bash
# Installs everything (Python and npm packages, PostgreSQL, Chromium, CJK fonts) and runs
# the whole suite: lint, migrations and deploy checks, then pytest on SQLite and on
# PostgreSQL, browser tests included.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
started=$(date +%s)

# The last line always says how the run ended and which step failed, so a CI log can be read
# from its tail; the exit status is the failing command's (pytest's 5, "no tests", included).
step="setup"
pgdir=""
finish() {
  local status=$?
  [ -z "$pgdir" ] || stop_pg
  local elapsed=$(( $(date +%s) - started ))
  if [ "$status" -eq 0 ]; then
    echo "全部通过 / all checks passed in ${elapsed} s"
  else
    echo "失败 / FAILED at step: ${step} (exit ${status}) after ${elapsed} s"
  fi
  exit "$status"
}
trap finish EXIT

bash scripts/setup.sh test

# shellcheck source=scripts/lib.sh
. scripts/lib.sh

step="apt-get install"
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q "ok installed" || need+=(fonts-noto-cjk)
# pdftotext and pdftoppm: tests read the text of printed PDFs (letters, records, rosters).
command -v pdftotext >/dev/null || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
  echo "== 安装系统软件包：${need[*]}"
  apt_install "${need[@]}"
fi

echo "== 启动本机 PostgreSQL（仅监听 127.0.0.1）"
step="start PostgreSQL"
# A private throwaway cluster (trust on loopback only, no durability: it holds test data), on a
# free port so it never collides with a PostgreSQL already running on the machine.
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres "$pgdir"
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}
stop_pg() {
  as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pgdir"
}
pgdir=$(mktemp -d /tmp/zuzhi-pg.XXXXXX)
pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg "$pgbin/initdb" -D "$pgdir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w start \
  -o "-p $pgport -k $pgdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null \
  || { cat "$pgdir/log"; exit 1; }

export ZUZHI_VAR_DIR="$root/var/test"
mkdir -p "$ZUZHI_VAR_DIR"
run() { step="$*"; echo "== $*"; "$@"; }

run .venv/bin/ruff check .
run .venv/bin/ruff format --check .
ZUZHI_DEBUG=1 run .venv/bin/zuzhi makemigrations --check --dry-run
ZUZHI_DEBUG=1 run .venv/bin/zuzhi check
ZUZHI_DEBUG=0 ZUZHI_SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(60))')" \
  ZUZHI_DATA_KEY="$(python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')" \
  ZUZHI_ALLOWED_HOSTS=zuzhi.example.gov.cn run .venv/bin/zuzhi check --deploy --fail-level WARNING

# The two databases' runs go side by side, one per core, each with its own files (uploads,
# the progress cache): the suite on one after the other took longer than CI allows. The
# SQLite run's output is printed when both have ended.
step="pytest (SQLite and PostgreSQL)"
echo "== pytest（SQLite 与 PostgreSQL 同时运行）"
mkdir -p "$ZUZHI_VAR_DIR/sqlite" "$ZUZHI_VAR_DIR/pg"
sqlite_log="$ZUZHI_VAR_DIR/pytest-sqlite.log"
ZUZHI_VAR_DIR="$ZUZHI_VAR_DIR/sqlite" .venv/bin/pytest -q -rfEs >"$sqlite_log" 2>&1 &
sqlite_pid=$!
pg_status=0
ZUZHI_VAR_DIR="$ZUZHI_VAR_DIR/pg" ZUZHI_DATABASE_URL="postgres://postgres@127.0.0.1:$pgport/zuzhi" \
  .venv/bin/pytest -q -rfEs || pg_status=$?
sqlite_status=0
wait "$sqlite_pid" || sqlite_status=$?
echo "== pytest（SQLite）"
cat "$sqlite_log"
step="pytest (SQLite)"
[ "$sqlite_status" -eq 0 ] || exit "$sqlite_status"
step="pytest (PostgreSQL)"
[ "$pg_status" -eq 0 ] || exit "$pg_status"

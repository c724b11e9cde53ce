#!/usr/bin/env bash
# Installs Zuzhi into this checkout: Python packages in .venv, front-end packages in
# node_modules (pinned in package-lock.json, served locally: no CDN at run time).
# Usage: scripts/setup.sh [test]    ("test" adds the test and lint tools)
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/lib.sh
. scripts/lib.sh

if ! python3 -c "import venv, ensurepip" 2>/dev/null; then
  echo "== 安装 python3-venv"
  apt_install python3-venv
fi
if [ ! -x .venv/bin/python ]; then
  echo "== 创建 Python 虚拟环境 .venv"
  python3 -m venv .venv
fi
if ! dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q "ok installed"; then
  echo "== 安装中文字体 fonts-noto-cjk（PDF 报表用）"
  apt_install fonts-noto-cjk
fi
echo "== 安装 Python 依赖"
extras=""
[ "${1:-}" = "test" ] && extras="[test]"
.venv/bin/pip install --quiet --disable-pip-version-check -e ".${extras}"
echo "== 安装前端依赖（npm ci）"
npm ci --no-audit --no-fund --loglevel=error

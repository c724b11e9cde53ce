#!/usr/bin/env bash
# Installs everything and runs the demo county 示范县 at http://127.0.0.1:8000 (logins printed).
# Extra arguments go to `zuzhi demo`, e.g. --password 'Your-Pass-2026'.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export ZUZHI_DEBUG=1 ZUZHI_HTTPS=0
exec .venv/bin/zuzhi demo "$@"

#!/usr/bin/env bash
# Installs what `make run` / `make test` need from Debian's packages, only when missing:
# python3-venv (Debian ships venv without ensurepip), redis-server, libseccomp2 (the sandbox's
# seccomp filter); with `--dev` (make test) also chromium for the browser tests and
# docker-compose to check docker-compose.yml. Uses sudo when not root. Then creates .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
missing=()
command -v "$PYTHON" >/dev/null || missing+=(python3)
"$PYTHON" -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
command -v redis-server >/dev/null || missing+=(redis-server)
if command -v ldconfig >/dev/null && ! ldconfig -p | grep -q 'libseccomp\.so\.2'; then
    missing+=(libseccomp2)
fi
if [[ "${1:-}" == "--dev" ]]; then
    [[ -x /usr/bin/chromium ]] || missing+=(chromium)
    command -v docker-compose >/dev/null || missing+=(docker-compose)
fi

if ((${#missing[@]})); then
    echo "[bootstrap] installing from Debian's packages: ${missing[*]}"
    sudo=""
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null || { echo "[bootstrap] need root or sudo to apt-get install ${missing[*]}" >&2; exit 1; }
        sudo="sudo"
    fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [[ ! -x .venv/bin/python ]]; then
    echo "[bootstrap] creating .venv"
    "$PYTHON" -m venv .venv
    .venv/bin/python -m pip install -q --upgrade pip
fi

# Sourced by scripts/install and scripts/test: make sure .venv exists.
# On Debian, `python3 -m venv` needs the python3-venv package; install it
# (as root, or with sudo) when it is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    if ! "$PYTHON" -c "import ensurepip, venv" >/dev/null 2>&1; then
        SUDO=""
        [ "$(id -u)" = 0 ] || SUDO=sudo
        version=$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
        $SUDO apt-get update -qq
        $SUDO apt-get install -y -qq "python${version}-venv" || $SUDO apt-get install -y -qq python3-venv
    fi
    "$PYTHON" -m venv .venv
fi

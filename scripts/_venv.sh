# Sourced by scripts/install and scripts/test: make sure the virtual environment
# exists, made with the Python asked for.
#
#   PYTHON  the interpreter (default python3): a command on PATH, a path, or a
#           version that pyenv has installed but not activated (python3.13)
#   VENV    where the environment lives (default .venv)
#
# An existing environment made with another Python version than PYTHON's is
# made anew, so that `PYTHON=python3.13 bash scripts/install && .venv/bin/livemidi`
# runs 3.13. On Debian, `python3 -m venv` needs the python3-venv package;
# install it (as root, or with sudo) when it is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}

# A pyenv shim that exists but is not active fails when run: look for the
# interpreter among pyenv's versions instead.
if ! "$PYTHON" -c "pass" >/dev/null 2>&1; then
    found=""
    if command -v pyenv >/dev/null 2>&1; then
        for candidate in "$(pyenv root)"/versions/*/bin/"$PYTHON"; do
            if [ -x "$candidate" ] && "$candidate" -c "pass" >/dev/null 2>&1; then
                found=$candidate
            fi
        done
    fi
    if [ -z "$found" ]; then
        echo "scripts: no working '$PYTHON' (install it, e.g. apt-get install ${PYTHON}, or pyenv install)" >&2
        exit 1
    fi
    PYTHON=$found
fi
version=$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')

if [ -x "$VENV/bin/python" ]; then
    have=$("$VENV/bin/python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")' 2>/dev/null || echo none)
    if [ "$have" != "$version" ]; then
        echo "scripts: $VENV has Python $have, $PYTHON is $version: making $VENV anew" >&2
        rm -rf "$VENV"
    fi
fi
if [ ! -x "$VENV/bin/python" ]; then
    if ! "$PYTHON" -c "import ensurepip, venv" >/dev/null 2>&1; then
        SUDO=""
        [ "$(id -u)" = 0 ] || SUDO=sudo
        $SUDO apt-get update -qq
        $SUDO apt-get install -y -qq "python${version}-venv" || $SUDO apt-get install -y -qq python3-venv
    fi
    "$PYTHON" -m venv "$VENV"
fi

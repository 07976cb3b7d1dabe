#!/usr/bin/env bash
# The whole test suite on a fresh Debian machine: installs what it needs, then lint, types, tests.
# Usage: bash tests/run_all.sh [pytest arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages=(golang-go golang-github-vmware-govmomi-dev chromium poppler-utils)
missing=()
for package in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  echo "== installing Debian packages: ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
venv=.venv
if [ ! -x "$venv/bin/python" ]; then
  echo "== creating $venv"
  "$python" -m venv "$venv"
fi
echo "== installing fleetreport with its test extras"
"$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
"$venv/bin/python" -m pip install -q --disable-pip-version-check -e '.[test]'

echo "== building the vCenter simulator"
"$venv/bin/python" -c 'import sys; sys.path.insert(0, "tests"); from support.vcsim import build_vcsim; print(build_vcsim())'

echo "== ruff"
"$venv/bin/ruff" check .
"$venv/bin/ruff" format --check .
echo "== mypy (this system, then as Windows and macOS see the code)"
"$venv/bin/mypy"
"$venv/bin/mypy" --platform win32
"$venv/bin/mypy" --platform darwin
echo "== pytest"
exec "$venv/bin/python" -m pytest "$@"

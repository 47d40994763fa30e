#!/usr/bin/env bash
# Set up opgen on a fresh machine and build the example plans.
#   1. system libraries WeasyPrint needs (Pango, HarfBuzz), poppler-utils (PDF pages as images, text) and
#      LibreOffice Calc headless (the tests open returned workbooks with it), via apt-get when we can;
#      and Chromium (the tests open the web editions in it, headless);
#   2. a virtual environment in .venv with opgen and its test tools (Playwright drives that Chromium;
#      no browser is downloaded), and axe-core from npm into tests/browser/ (`npm ci`, when npm is here);
#   3. validate and build every plan in plans/ into build/.
set -euo pipefail
cd "$(dirname "$0")"

SYSTEM_PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils libreoffice-calc-nogui chromium"
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in $SYSTEM_PACKAGES; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else sudo="none"; fi
  if [ "$sudo" != none ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing system packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: please install these system packages first: ${missing[*]}" >&2
    exit 1
  fi
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"

# axe-core, the accessibility checker the web-edition tests inject into Chromium (pinned by the lock file).
if command -v npm >/dev/null 2>&1; then
  echo "setup: installing axe-core for the browser tests (npm ci in tests/browser/)"
  (cd tests/browser && npm ci --no-audit --no-fund --silent)
else
  echo "setup: npm not found: the web-edition tests will fail until axe-core is installed (npm ci in tests/browser/)" >&2
fi

echo "setup: validating the example plans (their warnings are the real papers' own inconsistencies)"
.venv/bin/opgen validate plans/*.yaml | grep -E '^plans/[^:]+: (valid|invalid)' || true
echo "setup: building the example plans into build/"
.venv/bin/opgen build plans/ -j "$(nproc 2>/dev/null || echo 2)" > /dev/null
ls build/*/*.pdf build/*/*.docx
echo "setup: done. Activate with: source .venv/bin/activate"

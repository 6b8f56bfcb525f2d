#!/usr/bin/env bash
# Chromium and its WebDriver, from Debian's packages, for the tests that drive a real browser
# (the metrics service's public page). Usage: deploy/browser.sh up|status
#
# Installed when missing, as root with apt-get (as `make test` runs in CI); elsewhere the
# script says what to install. An Arabic font comes along, so that the pages' screenshots show
# Arabic text rather than empty boxes.
set -euo pipefail

chromium_bin() { command -v chromium || command -v chromium-browser || true; }
driver_bin() { command -v chromedriver || { [ -x /usr/bin/chromedriver ] && echo /usr/bin/chromedriver; } || true; }
arabic_font() { command -v fc-list >/dev/null && [ -n "$(fc-list :lang=ar family 2>/dev/null)" ]; }

present() { [ -n "$(chromium_bin)" ] && [ -n "$(driver_bin)" ] && arabic_font; }

up() {
  if ! present; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "browser: installing chromium, chromium-driver and fonts-noto-core from Debian's packages"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-core fontconfig >/dev/null
    fi
  fi
  if ! present; then
    echo "browser: Chromium, its driver and an Arabic font are needed: apt-get install chromium chromium-driver fonts-noto-core" >&2
    exit 1
  fi
  echo "browser: $("$(chromium_bin)" --version 2>/dev/null | head -n1), driver $("$(driver_bin)" --version | cut -d' ' -f2)"
}

case "${1:-up}" in
  up) up ;;
  status) present && echo "browser: ready" || { echo "browser: missing"; exit 1; } ;;
  *) echo "usage: $0 up|status" >&2; exit 2 ;;
esac

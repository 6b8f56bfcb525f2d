#!/usr/bin/env bash
# Chart.js, vendored for the metrics service's public page (served by the service itself: the
# page must work on an intranet, without a CDN).
#
#   deploy/vendor-chartjs.sh          fetch the pinned version with npm, check it, install it
#   deploy/vendor-chartjs.sh check    only check that the vendored file is the pinned one
#
# To move to another version: change VERSION and both digests (the tarball's, as npm serves
# it, and the build file's inside it), run the script, look at the page, commit.
set -euo pipefail

VERSION=4.6.1
TARBALL_SHA256=9345dacdf4bb4c5d40321f4b9aafab6fe676d37a534fc0bc2d17c4c4e29c4f00
BUILD_SHA256=87364cc2b2a76a6684929e7d6b80b18a897794db38400caff1fcf1791c6925d2
BUILD=dist/chart.umd.min.js

here=$(cd "$(dirname "$0")" && pwd)
target="$here/../services/metrics/pages/static/vendor/chartjs"

check_digest() {  # file expected-sha256
  local actual
  actual=$(sha256sum "$1" | cut -d' ' -f1)
  if [ "$actual" != "$2" ]; then
    echo "vendor-chartjs: $1 has sha256 $actual, expected $2" >&2
    exit 1
  fi
}

if [ "${1:-}" = check ]; then
  check_digest "$target/chart.umd.min.js" "$BUILD_SHA256"
  grep -qx "$VERSION" "$target/VERSION"
  echo "vendor-chartjs: Chart.js $VERSION is vendored"
  exit 0
fi

command -v npm >/dev/null || { echo "vendor-chartjs: npm is needed to fetch the package" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# npm pack downloads the published tarball from the registry (checking its own integrity).
(cd "$work" && npm pack --silent "chart.js@$VERSION" >/dev/null)
check_digest "$work/chart.js-$VERSION.tgz" "$TARBALL_SHA256"
tar -xzf "$work/chart.js-$VERSION.tgz" -C "$work" "package/$BUILD" package/LICENSE.md
check_digest "$work/package/$BUILD" "$BUILD_SHA256"
mkdir -p "$target"
cp "$work/package/$BUILD" "$target/chart.umd.min.js"
cp "$work/package/LICENSE.md" "$target/LICENSE.md"
echo "$VERSION" >"$target/VERSION"
printf '%s  chart.umd.min.js\n' "$BUILD_SHA256" >"$target/SHA256SUMS"
echo "vendor-chartjs: Chart.js $VERSION installed in ${target#"$here/../"}"

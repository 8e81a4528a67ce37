#!/usr/bin/env bash
# Takes the README's screenshot of an HTML report: the first screen, 1280×900,
# in headless Chromium with the network off (the report needs none).
#
#   scripts/screenshot.sh [REPORT.html] [OUT.png]
#
# Defaults: demo/report.html (make demo writes it) and docs/report.png.
# CHROMIUM overrides the browser (default /usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
in=${1:-demo/report.html}
out=${2:-docs/report.png}
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -f "$in" ]; then
  echo "screenshot: $in is missing; make demo writes demo/report.html" >&2
  exit 2
fi
if [ ! -x "$chromium" ]; then
  echo "screenshot: $chromium is missing: apt-get install -y chromium" >&2
  exit 2
fi
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
mkdir -p "$(dirname "$out")"
# --virtual-time-budget lets the charts draw before the capture; the
# background-networking flags keep Chromium itself off the network.
"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --hide-scrollbars --force-device-scale-factor=1 \
  --virtual-time-budget=5000 --window-size=1280,900 \
  --screenshot="$(realpath "$out")" "file://$(realpath "$in")" 2>"$profile/log" || {
  cat "$profile/log" >&2
  exit 1
}
echo "screenshot: $out"

#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the browser tests (npm run test:e2e).
# Playwright's own browser download cannot work here (only the npm registry and Debian's packages are
# reachable), so the tests drive the distribution's Chromium through playwright-core's executablePath.
# Also installs Noto Color Emoji, so that the screenshots show the simulator's emoji (✓✓, 👍, 📍)
# instead of empty boxes.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
EMOJI_FONT=/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf

missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
[ -f "$EMOJI_FONT" ] || missing+=(fonts-noto-color-emoji)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: missing ${missing[*]} and apt-get is not available; install them by hand" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "ensure-chromium: missing ${missing[*]}; run as root or install these Debian packages" >&2
    exit 1
  fi
fi

echo "ensure-chromium: installing ${missing[*]} (one-time)"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q "${missing[@]}"
"$CHROMIUM" --version

#!/usr/bin/env bash
# Debian packages the build and tests need: matplotlib (a Rasa dependency)
# compiles against the system freetype and qhull on Python 3.11.
set -euo pipefail
# Browser tests run in Debian's Chromium (a test tool's own browser download fails here).
needed=(libfreetype-dev libqhull-dev pkg-config chromium chromium-driver)
missing=()
for pkg in "${needed[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "installing system packages: ${missing[*]}"
  if [[ $(id -u) -eq 0 ]]; then apt-get install -y -q "${missing[@]}"; else sudo apt-get install -y -q "${missing[@]}"; fi
fi

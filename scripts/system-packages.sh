#!/usr/bin/env bash
# Debian packages the build needs: matplotlib (a Rasa dependency) compiles
# against the system freetype and qhull on Python 3.11.
set -euo pipefail
needed=(libfreetype-dev libqhull-dev pkg-config)
missing=()
for pkg in "${needed[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "installing system packages: ${missing[*]}"
  if [[ $(id -u) -eq 0 ]]; then apt-get install -y -q "${missing[@]}"; else sudo apt-get install -y -q "${missing[@]}"; fi
fi

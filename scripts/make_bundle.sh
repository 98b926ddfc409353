#!/usr/bin/env bash
# Write dist/pump-assistant-<version>.tar.gz: everything the running assistant
# reads, and nothing it only needs to be built or tested (no data/, tests/,
# bench/, .venv). Unpack it anywhere and run ./start.sh (see deploy/README.md,
# "Release bundle"). Version: `git describe --tags` when the commit has a tag
# in its history, else pyproject.toml's version; the commit is in BUNDLE-INFO.
set -euo pipefail
cd "$(dirname "$0")/.."

for f in models/pump-assistant.tar.gz models/spacy/en_pump/meta.json models/minilm/all-minilm-l6-v2.onnx; do
  [[ -e $f ]] || { echo "make_bundle: $f missing; run make train first" >&2; exit 1; }
done

version=$(git describe --tags 2>/dev/null || true)
if [[ -z $version ]]; then
  version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' pyproject.toml | head -1)
fi
[[ -n $version ]] || { echo "make_bundle: no version (git tag or pyproject.toml)" >&2; exit 1; }
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo " (working tree had uncommitted changes)" || true)

name=pump-assistant-$version
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/$name
mkdir -p "$root/models/spacy" "$root/models/minilm" "$root/requirements" "$root/var"

# Python packages (the triage rules and the migrations live inside pump_assistant/).
# tar --exclude keeps byte-compiled leftovers out.
tar -cf - --exclude=__pycache__ --exclude='*.pyc' pump_assistant actions webservice content deploy \
  | tar -xf - -C "$root"
cp -p models/pump-assistant.tar.gz "$root/models/"
cp -rp models/spacy/en_pump "$root/models/spacy/"
cp -p models/minilm/all-minilm-l6-v2.onnx "$root/models/minilm/"  # the sentence encoder's graph (make spacy)
# Rasa's run-time files (domain.yml rides along for the action server's and
# the retention tool's sake; the model carries its own copy), the package
# metadata (pyproject.toml: the spaCy factory entry point), settings template.
cp -p domain.yml endpoints.yml credentials.yml pyproject.toml .env.example "$root/"
cp -p requirements/runtime.txt requirements/constraints.txt requirements/no-deps.txt requirements/mplsetup.cfg \
  "$root/requirements/"
cp -p scripts/bundle-start.sh "$root/start.sh"
chmod +x "$root/start.sh"
cat > "$root/BUNDLE-INFO" <<INFO
pump-assistant $version
commit $commit$dirty
built $(date -u +%Y-%m-%dT%H:%M:%SZ)
model sha256 $(sha256sum models/pump-assistant.tar.gz | cut -d' ' -f1)
start: ./start.sh (see deploy/README.md, "Release bundle")
INFO

mkdir -p dist
[[ -e dist/.gitignore ]] || echo "*" > dist/.gitignore   # build output, never committed
out=dist/$name.tar.gz
# Fixed owner and sorted names: the same inputs give the same listing.
tar --sort=name --owner=0 --group=0 --numeric-owner -C "$stage" -czf "$out.tmp" "$name"
mv "$out.tmp" "$out"
echo "$out ($(du -h "$out" | cut -f1))"

#!/usr/bin/env bash
# Builds switchyard-VERSION.tar.gz: what scripts/install.sh needs, for a Pi without git (or without
# the dev tools to build). No node_modules: install.sh runs npm ci on the Pi, which picks the
# native addons of the Pi's architecture. On the Pi:
#   tar xzf switchyard-VERSION.tar.gz && sudo switchyard-VERSION/scripts/install.sh
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

USAGE="Usage: scripts/pack.sh [--out DIR] [--no-build]
  --out DIR    where the tarball goes (default: the current directory)
  --no-build   use dist/ as it is instead of running npm run build first"

OUT=.
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) echo "$USAGE"; exit 0 ;;
    --out) [ $# -ge 2 ] || { echo "pack.sh: --out needs a directory" >&2; exit 1; }; OUT=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    *) echo "pack.sh: unknown option '$1'" >&2; echo "$USAGE" >&2; exit 1 ;;
  esac
done
[ -d "$OUT" ] || { echo "pack.sh: --out $OUT: no such directory" >&2; exit 1; }
OUT=$(cd "$OUT" && pwd)

cd "$SRC"
if [ "$BUILD" -eq 1 ]; then npm run --silent build; fi
[ -f dist/cli/main.js ] || { echo "pack.sh: no dist/cli/main.js: run npm run build" >&2; exit 1; }

VERSION=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' package.json | head -n 1)
[ -n "$VERSION" ] || { echo "pack.sh: no version in package.json" >&2; exit 1; }
NAME="switchyard-$VERSION"
PARTS=(dist devices systemd package.json package-lock.json scripts/deploy-common.sh scripts/install.sh scripts/uninstall.sh)
for optional in docs README.md LICENSE; do
  if [ -e "$optional" ]; then PARTS+=("$optional"); fi
done

# Sorted, numeric root owner, no extended attributes: the same inputs give the same listing.
tar --create --gzip --file "$OUT/$NAME.tar.gz" --sort=name --owner=0 --group=0 --numeric-owner \
  --mode=u+rwX,go+rX,go-w --transform "s,^,$NAME/," "${PARTS[@]}"
echo "$OUT/$NAME.tar.gz"

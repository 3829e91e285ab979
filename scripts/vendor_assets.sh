#!/usr/bin/env bash
# Fetch the dashboard's third-party front-end assets from the npm registry (npm pack) and copy
# the built files with their licences into src/lnob/web/static/vendor/ (no CDN at run time).
# axe-core goes to tests/browser/vendor/ (used by the browser test only, never served).
# Usage: scripts/vendor_assets.sh        (needs npm; versions pinned below)
set -euo pipefail
cd "$(dirname "$0")/.."
VENDOR=src/lnob/web/static/vendor
declare -A PKGS=(
  [vega]="vega@6.4.0:build/vega.min.js"
  [vega-lite]="vega-lite@6.5.0:build/vega-lite.min.js"
  [vega-embed]="vega-embed@7.3.0:build/vega-embed.min.js"
  [vega-interpreter]="vega-interpreter@2.3.2:build/vega-interpreter.js"
  [htmx]="htmx.org@2.0.11:dist/htmx.min.js"
  [axe-core]="axe-core@4.14.1:axe.min.js"
)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for name in "${!PKGS[@]}"; do
  IFS=: read -r spec file <<<"${PKGS[$name]}"
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
  tgz=$(ls "$tmp"/*.tgz); mkdir -p "$tmp/$name"; tar xzf "$tgz" -C "$tmp/$name"; rm "$tgz"
  if [ "$name" = axe-core ]; then dest=tests/browser/vendor/axe-core; else dest=$VENDOR/$name; fi
  rm -rf "$dest"; mkdir -p "$dest"
  cp "$tmp/$name/package/$file" "$dest/"
  cp "$tmp/$name/package/"LICEN[CS]E* "$dest/" 2>/dev/null || true
  echo "$spec" > "$dest/VERSION"
done
# vega-interpreter ships an ES module importing vega-util: bind it to the vega global instead
f=$VENDOR/vega-interpreter/vega-interpreter.js
sed -i -e "s/^import { ascending, isString, DisallowedObjectProperties } from 'vega-util';/(function () {\nconst { ascending, isString, DisallowedObjectProperties } = window.vega;/" \
       -e "s/^export { expression as expressionInterpreter };/window.vegaInterpreter = { expressionInterpreter: expression };\n})();/" \
       -e "/^\/\/# sourceMappingURL/d" "$f"
grep -q "window.vegaInterpreter" "$f"
# the minified files name source maps we do not ship (collectstatic's manifest would fail on them)
for js in $VENDOR/vega-embed/vega-embed.min.js $VENDOR/vega-lite/vega-lite.min.js $VENDOR/vega/vega.min.js $VENDOR/htmx/htmx.min.js; do
  sed -i -E -e 's@//# sourceMappingURL=[^ ]*$@@' "$js"
done
echo "vendored into $VENDOR and tests/browser/vendor"

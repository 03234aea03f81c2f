#!/usr/bin/env bash
# Rebuild the committed front-end assets under static/.
# Usage (from anywhere): bash frontend/build.sh
set -euo pipefail

FRONTEND_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "${FRONTEND_DIR}/.." && pwd)"
STATIC_DIR="${ROOT_DIR}/static"
NM="${FRONTEND_DIR}/node_modules"
GOVUK_DIST="${NM}/govuk-frontend/dist/govuk"

cd "${FRONTEND_DIR}"
# --ignore-scripts: nothing here needs install scripts (sass is pure JS;
# @parcel/watcher is only an optional dependency for `sass --watch`).
npm ci --no-audit --no-fund --ignore-scripts

# --- govuk-frontend -------------------------------------------------------
rm -rf "${STATIC_DIR}/govuk"
mkdir -p "${STATIC_DIR}/govuk/assets"

"${NM}/.bin/sass" \
  --pkg-importer=node \
  --load-path="${NM}" \
  --style=compressed \
  --no-source-map \
  --quiet-deps \
  "${FRONTEND_DIR}/src/app.scss" \
  "${STATIC_DIR}/govuk/govuk-frontend.min.css"

# Strip the only Crown-specific rules govuk-frontend emits: the rebrand footer
# crown spacing (.govuk-footer__crown) and the Royal Arms crest background
# (.govuk-footer__copyright-logo, which points at govuk-crest.svg, deleted
# below). Brace/string-aware walk over the compressed CSS; empty @-blocks left
# behind are dropped too.
node - "${STATIC_DIR}/govuk/govuk-frontend.min.css" <<'JS'
const fs = require('fs');
const file = process.argv[2];
const css = fs.readFileSync(file, 'utf8');
const DROP = /govuk-footer__(crown|copyright-logo)/;
// Index just past the '}' matching the '{' at position `open`.
function blockEnd(s, open) {
  let depth = 0, q = null;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (q) { if (c === '\\') i++; else if (c === q) q = null; continue; }
    if (c === '"' || c === "'") q = c;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  throw new Error('unbalanced CSS');
}
function walk(s) {
  let out = '', i = 0;
  while (i < s.length) {
    // prelude up to the next '{' or ';' outside strings
    let j = i, q = null;
    for (; j < s.length; j++) {
      const c = s[j];
      if (q) { if (c === '\\') j++; else if (c === q) q = null; continue; }
      if (c === '"' || c === "'") q = c;
      else if (c === '{' || c === ';') break;
    }
    if (j >= s.length || s[j] === ';') { out += s.slice(i, j + 1); i = j + 1; continue; }
    const prelude = s.slice(i, j), end = blockEnd(s, j), body = s.slice(j + 1, end - 1);
    if (prelude.trim().startsWith('@') && /[{]/.test(body) && !/^@(font-face|page)/.test(prelude.trim())) {
      const inner = walk(body);
      if (inner.trim()) out += prelude + '{' + inner + '}';
    } else if (!DROP.test(prelude)) {
      out += s.slice(i, end);
    }
    i = end;
  }
  return out;
}
const result = walk(css);
fs.writeFileSync(file, result);
console.log(`stripped Crown rules: ${css.length - result.length} bytes removed`);
JS

cp "${GOVUK_DIST}/govuk-frontend.min.js" "${STATIC_DIR}/govuk/govuk-frontend.min.js"
# The govuk-frontend npm tarball ships no licence file (package.json says
# "MIT"), so use the package's own LICENSE if a future release adds one, else
# the verbatim copy of alphagov/govuk-frontend LICENSE.txt kept in licenses/.
GOVUK_LICENSE="$(find "${NM}/govuk-frontend" -maxdepth 1 -type f \( -iname 'LICEN[CS]E*' \) | head -n 1)"
if [ -z "${GOVUK_LICENSE}" ]; then
  GOVUK_LICENSE="${FRONTEND_DIR}/licenses/govuk-frontend-LICENSE.txt"
fi
cp "${GOVUK_LICENSE}" "${STATIC_DIR}/govuk/LICENSE"

# Images only: never the fonts folder (GDS Transport is not licensed for
# non-GOV.UK services). Every image govuk-frontend ships (favicon, app icons,
# mask icon, opengraph image, footer crest) shows the Crown or the Royal Arms,
# so all of them are removed and replaced by a generic favicon.
cp -R "${GOVUK_DIST}/assets/images" "${STATIC_DIR}/govuk/assets/images"
find "${STATIC_DIR}/govuk/assets/images" -type f \( \
     -iname '*crown*' -o -iname '*crest*' -o -iname 'govuk-*' -o -iname 'favicon.*' \
  \) -delete

cat > "${STATIC_DIR}/govuk/assets/images/favicon.svg" <<'SVG'
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" fill="#1d4f6e"/></svg>
SVG

# --- axe-core ---------------------------------------------------------------
rm -rf "${STATIC_DIR}/vendor/axe-core"
mkdir -p "${STATIC_DIR}/vendor/axe-core"
cp "${NM}/axe-core/axe.min.js" "${STATIC_DIR}/vendor/axe-core/axe.min.js"
cp "${NM}/axe-core/LICENSE" "${STATIC_DIR}/vendor/axe-core/LICENSE"
# axe.min.js bundles third-party MIT code; keep their notices alongside.
cp "${NM}/axe-core/LICENSE-3RD-PARTY.txt" "${STATIC_DIR}/vendor/axe-core/LICENSE-3RD-PARTY.txt"

# --- checks -----------------------------------------------------------------
CSS="${STATIC_DIR}/govuk/govuk-frontend.min.css"
for bad in 'GDS Transport' 'woff' 'crown' 'crest'; do
  if grep -qi -- "${bad}" "${CSS}"; then
    echo "ERROR: compiled CSS contains '${bad}'" >&2
    exit 1
  fi
done
if [ -e "${STATIC_DIR}/govuk/assets/fonts" ]; then
  echo "ERROR: fonts folder must not be copied" >&2
  exit 1
fi
if find "${STATIC_DIR}/govuk" -iname '*crown*' -o -iname '*crest*' | grep -q .; then
  echo "ERROR: crown/crest asset present" >&2
  exit 1
fi

echo "Built:"
find "${STATIC_DIR}/govuk" "${STATIC_DIR}/vendor/axe-core" -type f -exec ls -l {} + | awk '{print $5"\t"$9}'

#!/usr/bin/env bash
# Re-vendor the JavaScript the interactive HTML view inlines (boundary/export/assets/):
# cytoscape.js and its dagre layout extension (which bundles @dagrejs/dagre), taken from
# their published npm packages, with their licences, and the versions recorded in
# versions.json. Run it to update; nothing downloads anything at run time.
#
#   bash scripts/vendor_js.sh [CYTOSCAPE_VERSION] [CYTOSCAPE_DAGRE_VERSION]
set -euo pipefail
cd "$(dirname "$0")/.."
CYTOSCAPE="${1:-3.35.0}"
CYTOSCAPE_DAGRE="${2:-4.0.1}"
DEST=boundary/export/assets
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

(
    cd "$WORK"
    npm pack --silent "cytoscape@$CYTOSCAPE" "cytoscape-dagre@$CYTOSCAPE_DAGRE" >/dev/null
    # The dagre version cytoscape-dagre was built with, for its licence.
    mkdir cytoscape cytoscape-dagre
    tar -xzf "cytoscape-$CYTOSCAPE.tgz" -C cytoscape --strip-components 1
    tar -xzf "cytoscape-dagre-$CYTOSCAPE_DAGRE.tgz" -C cytoscape-dagre --strip-components 1
    DAGRE_RANGE="$(node -e 'console.log(require("./cytoscape-dagre/package.json").devDependencies["@dagrejs/dagre"])')"
    DAGRE="$(npm view "@dagrejs/dagre@$DAGRE_RANGE" version | tail -1 | sed -e "s/.*'\(.*\)'.*/\1/" -e 's/^.* //')"
    npm pack --silent "@dagrejs/dagre@$DAGRE" >/dev/null
    mkdir dagre
    tar -xzf dagrejs-dagre-"$DAGRE".tgz -C dagre --strip-components 1
    echo "$DAGRE" >dagre.version
)

cp "$WORK/cytoscape/dist/cytoscape.min.js" "$DEST/cytoscape.min.js"
cp "$WORK/cytoscape/LICENSE" "$DEST/LICENSE.cytoscape"
cp "$WORK/cytoscape-dagre/dist/cytoscape-dagre.min.js" "$DEST/cytoscape-dagre.min.js"
cp "$WORK/cytoscape-dagre/LICENSE" "$DEST/LICENSE.cytoscape-dagre"
cp "$WORK/dagre/LICENSE" "$DEST/LICENSE.dagre"
DAGRE="$(cat "$WORK/dagre.version")"
cat >"$DEST/versions.json" <<JSON
{
  "cytoscape": "$CYTOSCAPE",
  "cytoscape-dagre": "$CYTOSCAPE_DAGRE",
  "@dagrejs/dagre": "$DAGRE (bundled inside cytoscape-dagre)"
}
JSON
echo "vendored cytoscape $CYTOSCAPE, cytoscape-dagre $CYTOSCAPE_DAGRE (dagre $DAGRE) into $DEST"

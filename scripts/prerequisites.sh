#!/usr/bin/env bash
# Installs what the tests and the sample need on a fresh machine; does nothing when it is all there.
set -euo pipefail

need_pg=/usr/lib/postgresql/15/bin/initdb
if [ ! -x "$need_pg" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "prerequisites: installing PostgreSQL server binaries"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

# The JavaScript client test (tests/node, run by NodeClientShould) needs Node.js and the locked @microsoft/signalr.
if ! command -v node >/dev/null 2>&1; then
  echo "prerequisites: installing Node.js and npm"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
node_tests="$(cd "$(dirname "$0")/.." && pwd)/tests/node"
if [ ! -d "$node_tests/node_modules/@microsoft/signalr" ]; then
  echo "prerequisites: installing the JavaScript test client (npm ci in tests/node)"
  (cd "$node_tests" && npm ci --no-audit --no-fund)
fi

# The JavaScript client package (clients/js): its locked dependencies, then its build (declarations and the two ES
# module bundles) whenever a source is newer than the bundle. JavaScriptClientShould and the sample use dist/.
client_js="$(cd "$(dirname "$0")/.." && pwd)/clients/js"
if [ ! -d "$client_js/node_modules/@microsoft/signalr" ] || [ ! -d "$client_js/node_modules/esbuild" ]; then
  echo "prerequisites: installing the JavaScript client's dependencies (npm ci in clients/js)"
  (cd "$client_js" && npm ci --no-audit --no-fund)
fi
if [ ! -f "$client_js/dist/browser/marketplace-chat-client.js" ] \
   || [ -n "$(find "$client_js/src" "$client_js/package.json" "$client_js/scripts" -newer "$client_js/dist/browser/marketplace-chat-client.js" 2>/dev/null | head -1)" ]; then
  echo "prerequisites: building the JavaScript client (npm run build in clients/js)"
  (cd "$client_js" && npm run build --silent)
fi

# The browser tests (tests/Marketplace.Chat.BrowserTests) drive Debian's Chromium through Playwright: never a downloaded
# browser. The colour emoji font makes the sample's screenshots show its emoji.
if [ ! -x /usr/bin/chromium ]; then
  echo "prerequisites: installing Chromium (browser tests)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null
elif [ ! -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]; then
  echo "prerequisites: installing the colour emoji font (browser screenshots)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-color-emoji >/dev/null
fi

# The evidence transcript (PDF) is set in DejaVu Sans; PDFsharp's Core build finds no system fonts by itself.
if [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
  echo "prerequisites: installing the DejaVu fonts (evidence transcript PDF)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core >/dev/null
fi

# The scale-out tests (tests/Marketplace.Chat.IntegrationTests/Redis) and scripts/cluster.sh start their own Debian
# redis-server and nginx on loopback ports; the packages' own services are not used (and not enabled here).
if [ ! -x /usr/bin/redis-server ] || [ ! -x /usr/sbin/nginx ]; then
  echo "prerequisites: installing redis-server and nginx (scale-out tests)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server nginx >/dev/null
fi

# dotnet ef (migrations of the sample; the README's host guide) comes from the tool manifest in .config/dotnet-tools.json.
(cd "$(dirname "$0")/.." && dotnet tool restore >/dev/null)

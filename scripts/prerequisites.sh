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

# The browser tests (tests/Marketplace.Chat.BrowserTests) drive Debian's Chromium through Playwright: never a downloaded
# browser. The colour emoji font makes the sample's screenshots show its emoji.
if [ ! -x /usr/bin/chromium ]; then
  echo "prerequisites: installing Chromium (browser tests)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null
elif [ ! -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]; then
  echo "prerequisites: installing the colour emoji font (browser screenshots)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-color-emoji >/dev/null
fi

# The scale-out tests (tests/Marketplace.Chat.IntegrationTests/Redis) and scripts/cluster.sh start their own Debian
# redis-server and nginx on loopback ports; the packages' own services are not used (and not enabled here).
if [ ! -x /usr/bin/redis-server ] || [ ! -x /usr/sbin/nginx ]; then
  echo "prerequisites: installing redis-server and nginx (scale-out tests)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server nginx >/dev/null
fi

# dotnet ef (migrations of the sample; the README's host guide) comes from the tool manifest in .config/dotnet-tools.json.
(cd "$(dirname "$0")/.." && dotnet tool restore >/dev/null)

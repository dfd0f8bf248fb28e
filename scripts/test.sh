#!/usr/bin/env bash
# Runs every test of the repository: unit, integration (PostgreSQL + SignalR), package, browser.
# On a fresh machine it first installs what the tests need (see scripts/prerequisites.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/prerequisites.sh

results="artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

status=0
dotnet test Marketplace.Chat.sln -c Release \
  --logger "trx" --results-directory "$results" \
  --logger "console;verbosity=minimal" || status=$?

# One plain closing line summing every test project's results.
python3 - "$results" <<'PY' || true
import sys, glob, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/*.trx"):
    counters = ET.parse(path).getroot().find(".//{*}Counters")
    if counters is None:
        continue
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0))
    skipped += int(counters.get("notExecuted", 0))
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status

#!/usr/bin/env bash
# Rewrites src/Marketplace.Chat/PublicAPI.Unshipped.txt from the code: every public API that PublicAPI.Shipped.txt does
# not list, one line each (Microsoft.CodeAnalysis.PublicApiAnalyzers' own format, written by its code fix through
# `dotnet format`). Run it after a deliberate public-API change (or a merge), then review the diff of the file: it is
# the public-API change. The build fails (RS0016/RS0017) whenever the file and the code disagree.
set -euo pipefail
cd "$(dirname "$0")/.."

project=src/Marketplace.Chat/Marketplace.Chat.csproj
unshipped=src/Marketplace.Chat/PublicAPI.Unshipped.txt

# Start from nothing but the nullable marker, then let the analyzer's code fix add what the code declares.
printf '#nullable enable\n' > "$unshipped"
dotnet restore "$project" >/dev/null
# RS0016: a public API missing from the files; RS0017: a listed API the code no longer has (the fix records its removal).
dotnet format analyzers "$project" --diagnostics RS0016 RS0017 --severity warn --no-restore

# The fix appends; keep the file sorted (the marker first) so diffs show only real changes.
{ head -n 1 "$unshipped"; tail -n +2 "$unshipped" | LC_ALL=C sort -u; } > "$unshipped.tmp"
mv "$unshipped.tmp" "$unshipped"

dotnet build "$project" -c Release --no-restore -nologo -v q
echo "update-public-api: $(($(wc -l < "$unshipped") - 1)) unshipped public API lines in $unshipped"

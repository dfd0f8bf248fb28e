#!/usr/bin/env bash
# The write-path measurements of docs/benchmarks.md ("Lean write path"): the package against the bare hub and raw
# inserts in the same runs, refusals, two nodes behind Redis, idle connections. ~15 min; run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${BENCH_RESULTS:-bench/results}"
artifacts="${BENCH_ARTIFACTS:-/tmp/artifacts-bench}"
mkdir -p "$out"
dotnet build bench/Marketplace.Chat.LoadGenerator -c Release --artifacts-path "$artifacts" -v quiet -nologo
lg="dotnet $artifacts/bin/Marketplace.Chat.LoadGenerator/release/Marketplace.Chat.LoadGenerator.dll run"
echo "commit $(git rev-parse --short HEAD), $(date -u +%FT%TZ)" | tee "$out/writepath-commit.txt"

step() { echo "== $1 (load $(cut -d' ' -f1-3 /proc/loadavg))"; shift; "$@" 2>&1 | grep -v '^\[server\]' || true; }

# Closed loop, rate limit raised: chat vs bare hub vs raw inserts, same run.
step closed $lg --conversations 10,100,1000 --modes bare,chat,raw --warmup 3 --duration 10 --drain 60 --output "$out/writepath-closed"
# Open loop: 1,000 conversations x 1 msg/s per client (2,000 msg/s offered), the host's connection string as is, then
# with Npgsql's automatic preparation (the chat's EF Core queries planned once per connection).
step open $lg --conversations 1000 --modes bare,chat --rate 2 --warmup 3 --duration 10 --drain 60 --output "$out/writepath-open-1000"
MPCHAT_BENCH_CONNECTION_EXTRA="Max Auto Prepare=64;Auto Prepare Min Usages=2" \
  step open-autoprepare $lg --conversations 1000 --modes chat --rate 2 --warmup 3 --duration 10 --drain 60 --output "$out/writepath-open-1000-autoprepare"
# Refusals: the default limits (5/s, burst 20) against closed-loop senders, 99 % of calls refused.
step refusals $lg --conversations 10 --modes chat --default-limits --warmup 3 --duration 10 --drain 30 --output "$out/writepath-refusals-10"
# One node, then two behind a throwaway redis-server (every message crosses the backplane): closed loop, then 2,000 msg/s.
step nodes $lg --conversations 1000 --modes chat --nodes 1,2 --warmup 3 --duration 10 --drain 60 --output "$out/writepath-nodes-closed-1000"
step nodes-open $lg --conversations 1000 --modes chat --nodes 1,2 --rate 2 --warmup 3 --duration 10 --drain 60 --output "$out/writepath-nodes-open-1000"
# Idle joined connections: the package over the bare hub.
step idle $lg --modes none --idle 5000 --idle-mode chat --output "$out/writepath-idle-chat"
step idlebare $lg --modes none --idle 5000 --idle-mode bare --output "$out/writepath-idle-bare"

#!/usr/bin/env bash
# Takes every measurement of docs/benchmarks.md, in order, into bench/results/ (Markdown + JSON per step).
# Everything targets 127.0.0.1; each step starts its own PostgreSQL cluster (fsync on) and server processes and stops them.
# Run it on a quiet machine: it prints the load average before each step.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${BENCH_RESULTS:-bench/results}"
artifacts="${BENCH_ARTIFACTS:-/tmp/artifacts-bench}"
mkdir -p "$out"
dotnet build bench/Marketplace.Chat.LoadGenerator -c Release --artifacts-path "$artifacts" -v quiet -nologo
lg="dotnet $artifacts/bin/Marketplace.Chat.LoadGenerator/release/Marketplace.Chat.LoadGenerator.dll run"
echo "commit $(git rev-parse --short HEAD), $(date -u +%FT%TZ)" | tee "$out/commit.txt"

step() { echo "== $1 (load $(cut -d' ' -f1-3 /proc/loadavg))"; shift; "$@" 2>&1 | grep -v '^\[server\]' || true; }

# 1. Scale curve, closed loop at full speed, rate limit raised; the two bounds in the same run.
step closed  $lg --conversations 10,100,1000 --modes bare,chat,raw --warmup 3 --duration 10 --drain 120 --output "$out/closed"
# 2. Latency at a fixed offered load: 1 message per second per conversation (open loop).
step open    $lg --conversations 100,1000 --modes bare,chat --rate 1 --warmup 5 --duration 20 --drain 120 --output "$out/open"
# 2b. Where the latency bends at 1,000 conversations: 100, 250 and 500 msg/s offered.
for rate in 0.1 0.25 0.5; do
  step "open-c1000-$rate" $lg --conversations 1000 --modes chat --rate "$rate" --warmup 5 --duration 20 --drain 120 --output "$out/open-c1000-rate$rate"
done
# 3. Back-pressure with the package's default rate limit (5/s, burst 20): every user offers 50/s.
step limits  $lg --conversations 5 --modes chat --rate 100 --default-limits --warmup 2 --duration 10 --output "$out/default-limits"
# 4. Where the time goes: every database round trip counted and timed (EF Core interceptor; costs some throughput).
step profile $lg --conversations 100 --modes chat --profile-db --warmup 3 --duration 10 --output "$out/profile-db"
# 5. The host's choice of AddDbContextPool instead of AddDbContext (same package).
step pooled  $lg --conversations 100 --modes chat --dbcontext-pool --warmup 3 --duration 10 --output "$out/dbcontext-pool"
# 5b. Diagnostic: the same without the package's live notification push handler (its failures cost CPU; see the doc).
step nopush  $lg --conversations 100 --modes chat --without-live-push --warmup 3 --duration 10 --output "$out/without-live-push"
# 6. Idle connections: server memory per connection (joined to their conversation), chat and bare hub.
step idle    $lg --modes none --idle 5000,10000 --idle-mode chat --output "$out/idle-chat"
step idlebare $lg --modes none --idle 10000 --idle-mode bare --output "$out/idle-bare"
step idlews  $lg --modes none --idle 10000 --idle-mode chat --workstation-gc --output "$out/idle-chat-workstation-gc"
# 7. CPU profile of the chat server under closed-loop load (perf-based sampling; needs root and dotnet-trace from NuGet).
trace="${DOTNET_TRACE:-/tmp/dntools/dotnet-trace}"
[ -x "$trace" ] || dotnet tool install --tool-path /tmp/dntools dotnet-trace >/dev/null 2>&1 || true
if [ -x "$trace" ]; then
  echo "== cpu profile (load $(cut -d' ' -f1-3 /proc/loadavg))"
  $lg --conversations 100 --modes chat --warmup 15 --duration 15 --output "$out/cpu-profile-run" > "$out/cpu-profile-run.log" 2>&1 &
  driver=$!
  pid=""
  for _ in $(seq 1 90); do pid=$(pgrep -f "Marketplace.Chat.LoadGenerator.dll serve" | head -1 || true); [ -n "$pid" ] && break; sleep 1; done
  # The server is up once its conversations are set up and the clients join: sample inside the measured window.
  sleep 16
  [ -n "$pid" ] && "$trace" collect-linux -p "$pid" --profile cpu-sampling --duration 00:00:00:10 -o /tmp/chat-cpu.nettrace >/dev/null 2>&1 || true
  wait "$driver" || true
  [ -f /tmp/chat-cpu.nettrace ] && "$trace" report /tmp/chat-cpu.nettrace topN -n 200 --inclusive > "$out/chat-cpu-inclusive.txt" 2>&1 || true
fi
# 8. Micro-benchmarks of the send path's CPU-only steps.
echo "== micro-benchmarks (load $(cut -d' ' -f1-3 /proc/loadavg))"
dotnet run -c Release --project bench/Marketplace.Chat.MicroBenchmarks --artifacts-path "$artifacts" -- \
  --filter '*' --job short --exporters github --artifacts /tmp/bdn-artifacts > "$out/micro.log" 2>&1 || true
cp /tmp/bdn-artifacts/results/*-report-github.md "$out/micro.md" 2>/dev/null || true
echo "== done (load $(cut -d' ' -f1-3 /proc/loadavg))"

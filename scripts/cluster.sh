#!/usr/bin/env bash
# Runs the sample as a small cluster on this machine: one PostgreSQL, one Redis, two or three sample nodes
# (each with AddRedis) and Debian's nginx in front with the README's load-balancer recipe. Ctrl-C stops everything.
#
#   bash scripts/cluster.sh            # two nodes
#   bash scripts/cluster.sh --nodes 3  # three nodes
#   bash scripts/cluster.sh --check    # start, check a buyer on node 1 and a seller on node 2 chat live, stop
#
# Ports (CLUSTER_PORT, default 5300): nginx sticky :5300 (browsers), nginx round-robin :5301 (clients that skip
# negotiation), nodes :5311 :5312 :5313, PostgreSQL :5320, Redis :5321. State lives in CLUSTER_DIR (default
# /tmp/mpchat-cluster) and is removed at the end unless KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

nodes=2
check=0
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes="$2"; shift 2 ;;
    --check) check=1; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "cluster.sh: unknown argument $1 (try --nodes 2|3, --check)" >&2; exit 2 ;;
  esac
done
case "$nodes" in 1|2|3) ;; *) echo "cluster.sh: --nodes must be 1, 2 or 3" >&2; exit 2 ;; esac
[ "$check" = 0 ] || [ "$nodes" -ge 2 ] || { echo "cluster.sh: --check needs at least 2 nodes" >&2; exit 2; }

base="${CLUSTER_PORT:-5300}"
dir="${CLUSTER_DIR:-/tmp/mpchat-cluster}"
pg_port=$((base + 20)); redis_port=$((base + 21)); sticky_port=$base; any_port=$((base + 1))
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -x "$pg_bin/initdb" ] && command -v redis-server >/dev/null && [ -x /usr/sbin/nginx ] || bash scripts/prerequisites.sh
pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pids=()
cleanup() {
  trap - EXIT INT TERM
  echo; echo "cluster: stopping"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -f "$dir/pg/postmaster.pid" ] && as_pg "$pg_bin/pg_ctl" -D "$dir/pg" -m fast stop >/dev/null 2>&1 || true
  [ "${KEEP:-0}" = 1 ] || rm -rf "$dir"
}
trap cleanup EXIT INT TERM

rm -rf "$dir"; mkdir -p "$dir/nginx" "$dir/logs"
password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"

echo "cluster: PostgreSQL on 127.0.0.1:$pg_port (scram-sha-256)"
mkdir -p "$dir/pg"; printf '%s\n' "$password" > "$dir/pgpass"
if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir/pg" "$dir/pgpass"; chmod 755 "$dir"; fi
as_pg "$pg_bin/initdb" -D "$dir/pg" -U postgres --auth-host=scram-sha-256 --auth-local=peer --pwfile="$dir/pgpass" >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$dir/pg" -l "$dir/pg/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$pg_port -c unix_socket_directories=$dir/pg -c max_connections=200" start >/dev/null
chat_db="Host=127.0.0.1;Port=$pg_port;Database=marketplace;Username=postgres;Password=$password"
PGPASSWORD="$password" "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -qc "CREATE DATABASE marketplace" >/dev/null

echo "cluster: Redis on 127.0.0.1:$redis_port (no persistence)"
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" >"$dir/logs/redis.log" 2>&1 &
pids+=($!)

echo "cluster: building the sample"
dotnet build src/Marketplace.Chat.Sample -c Release -v quiet -nologo >"$dir/logs/build.log" || { cat "$dir/logs/build.log"; exit 1; }

servers=""
for i in $(seq 1 "$nodes"); do
  port=$((base + 10 + i))
  servers="$servers server 127.0.0.1:$port;"
  echo "cluster: node $i on http://127.0.0.1:$port"
  ASPNETCORE_ENVIRONMENT=Development Sample__DemoLogin=true \
  ConnectionStrings__Chat="$chat_db" ConnectionStrings__Redis="127.0.0.1:$redis_port" \
    dotnet run --no-build -c Release --no-launch-profile --project src/Marketplace.Chat.Sample -- --urls "http://127.0.0.1:$port" \
    >"$dir/logs/node$i.log" 2>&1 &
  pids+=($!)
  # The first node migrates and seeds the database; the others start once it listens.
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    kill -0 "${pids[-1]}" 2>/dev/null || { echo "node $i exited:"; tail -20 "$dir/logs/node$i.log"; exit 1; }
    sleep 1
  done
done

echo "cluster: nginx on http://127.0.0.1:$sticky_port (sticky) and http://127.0.0.1:$any_port (round-robin)"
user_line=""; [ "$(id -u)" = 0 ] && user_line="user root;"
{ echo "$user_line"; sed -e "s#__RUNTIME__#$dir/nginx#g" -e "s#__STICKY_PORT__#$sticky_port#g" -e "s#__ANY_PORT__#$any_port#g" \
    -e "s#__SERVERS__#$servers#g" docs/scale-out/nginx.conf.template; } >"$dir/nginx/nginx.conf"
/usr/sbin/nginx -p "$dir/nginx" -c "$dir/nginx/nginx.conf" -e "$dir/nginx/startup.log" &
pids+=($!)

if [ "$check" = 1 ]; then
  [ -d tests/node/node_modules/@microsoft/signalr ] || (cd tests/node && npm ci --no-audit --no-fund >/dev/null)
  node tests/node/cluster-check.mjs "http://127.0.0.1:$((base + 11))" "http://127.0.0.1:$((base + 12))"
  exit $?
fi

cat <<MSG

The cluster is up ($nodes nodes, one PostgreSQL, one Redis, nginx in front). Try it:
  buyer:   http://127.0.0.1:$((base + 11))   (node 1; sign in as a buyer)
  seller:  http://localhost:$((base + 12))   (node 2; a different host name keeps the two sign-in cookies apart)
  nginx:   http://127.0.0.1:$sticky_port        (sticky by client address, the recipe for browsers)
  health:  curl http://127.0.0.1:$((base + 11))/health
Messages, typing, read receipts and presence cross between the nodes through Redis. Logs: $dir/logs. Ctrl-C stops it.
MSG
wait "${pids[0]}"

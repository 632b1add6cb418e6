#!/usr/bin/env bash
# What `status` costs with full sets, side by side with the least any status
# must do: read the kernel (`ipset save` of the sets status shows: phones,
# bans, traps, quiet, both families; `iptables-save -c`, `ip6tables-save -c`). One namespace this script makes, our strict rules
# loaded, then 0 and then 100,000 addresses on each of our sets (phones,
# bans, traps, quiet); `status` and `status --json` are timed against the
# bare reads, in a shuffled order, several rounds; medians, and the ratio to
# the bare reads taken within each round. The TUI's 2-second refresh runs the
# same reading as `status` (on its own thread: the keys never wait for it).
# Run as root: scripts/bench-status.sh [rounds] (BULK=addresses per set, default 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"
bulk="${BULK:-100000}"
cargo build --release --quiet --bins
bin="$PWD/target/release/asterisk-harden"
ns="ahbench-status-$$"
source scripts/netns-reap.sh
reap_stale_namespaces
work="$(mktemp -d)"
cleanup() {
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

mkdir -p "$work/root"
cat > "$work/answers.toml" <<ANSWERS
mode = "strict"
[network]
interface = "ens3"
local_nets = ["10.88.0.0/16"]
[sip]
hostname = "bench.example.net"
ANSWERS
ip netns add "$ns"
ip -n "$ns" link set lo up
ip netns exec "$ns" "$bin" --root "$work/root" render --answers "$work/answers.toml" > "$work/ours.rules" 2>/dev/null
sed -n 's/^# \(create ah-.*\)/\1/p' "$work/ours.rules" | ip netns exec "$ns" ipset restore -exist
ip netns exec "$ns" iptables-restore < "$work/ours.rules"
sets=$(sed -n 's/^# create \(ah-[A-Z0-9]*\) hash:ip .*/\1/p' "$work/ours.rules")  # not the blocklists' list:set

ms() { # COMMAND... -> milliseconds it took (output discarded)
  local t0 t1
  t0=$(date +%s%N); "$@" > /dev/null 2>&1; t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 ))
}
bare() {
  for s in ah-MYSIP ah-MYSIP6 ah-BADSIP ah-BADSIP6 ah-RLM ah-RLM6 ah-QUIET ah-QUIET6; do ip netns exec "$ns" ipset save "$s" || true; done
  ip netns exec "$ns" iptables-save -c
  ip netns exec "$ns" ip6tables-save -c
}
plain() { ip netns exec "$ns" "$bin" --root "$work/root" status; }
json() { ip netns exec "$ns" "$bin" --root "$work/root" status --json; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A took
for size in 0 "$bulk"; do
  if [ "$size" != 0 ]; then
    i=0
    for s in $sets; do
      awk -v s="$s" -v n=$((20 + 2 * i)) -v c="$size" 'BEGIN { for (k = 0; k < c; k++) printf "add %s 10.%d.%d.%d\n", s, n + int(k / 65536), int(k / 256) % 256, k % 256 }'
      i=$((i + 1))
    done | ip netns exec "$ns" ipset restore -exist
  fi
  for ((r = 0; r < rounds; r++)); do
    while read -r what; do
      took[$size,$what,$r]=$(ms "$what")
    done < <(printf '%s\n' bare plain json | shuf)
  done
done

echo "machine: $(nproc) cores, $(uname -r), $(ipset -v | head -1)"
echo "rounds: $rounds, shuffled; milliseconds, median; ratio to the bare kernel reads taken within a round"
printf '%-22s %16s %22s %22s\n' "addresses per set" "bare reads" "status" "status --json"
for size in 0 "$bulk"; do
  row=""
  b=(); for ((r = 0; r < rounds; r++)); do b+=("${took[$size,bare,$r]}"); done
  for what in plain json; do
    t=(); q=()
    for ((r = 0; r < rounds; r++)); do
      t+=("${took[$size,$what,$r]}")
      q+=("$(awk -v a="${took[$size,$what,$r]}" -v n="${took[$size,bare,$r]}" 'BEGIN { printf "%.2f", a / (n > 0 ? n : 1) }')")
    done
    row+=$(printf ' %10s ms (%5.2fx)' "$(median "${t[@]}")" "$(median "${q[@]}")")
  done
  printf '%-22s %13s ms%s\n' "$size" "$(median "${b[@]}")" "$row"
done
counted=$(plain | awk '/^Banned scanners/ { gsub(/[^0-9]/, "", $0); print }')
echo "status counted $counted banned scanners (expected $bulk); its sets: $(echo $sets)"

#!/usr/bin/env bash
# How long a whole apply takes outside the confirmation window (validate,
# back up, test, write, load), next to the irreducible part: one plain
# iptables-restore + ip6tables-restore of the same rules. Both run in one
# throwaway network namespace against a sandbox root, interleaved in a
# shuffled order, so machine noise hits both alike. Budget: 1 s.
# Run as root: scripts/bench-apply.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-15}"
cargo build --release --quiet
bin="$PWD/target/release/asterisk-harden"
ns="ahbench-apply-$$"
source scripts/netns-reap.sh
reap_stale_namespaces
sandbox="$(mktemp -d)"
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -rf "$sandbox"; }
trap cleanup EXIT INT TERM
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
mkdir -p "$sandbox/etc"
echo 12 > "$sandbox/etc/debian_version"
# The strict example without its SSH move: moving SSH needs a running sshd
# to reload and prove, which a sandbox root does not have.
answers="$sandbox/answers.toml"
sed '/^\[ssh\]/,/^$/d' assets/examples/strict.toml > "$answers"
"$bin" render --answers "$answers" > "$sandbox/v4.rules"
"$bin" render --answers "$answers" --family ipv6 > "$sandbox/v6.rules"

ms() { echo $(( $(date +%s%N) / 1000000 )); }
run_apply() {
  ip netns exec "$ns" "$bin" --root "$sandbox" apply --yes --no-confirm --answers "$answers" >/dev/null
}
run_restore() {
  ip netns exec "$ns" iptables-restore < "$sandbox/v4.rules"
  ip netns exec "$ns" ip6tables-restore < "$sandbox/v6.rules"
}
run_apply # warm up: first apply creates the files

apply_ms=(); restore_ms=(); ratios=()
for ((i = 0; i < rounds; i++)); do
  order=$(( RANDOM % 2 ))
  for step in 0 1; do
    if (( (step + order) % 2 == 0 )); then
      t0=$(ms); run_apply; a=$(( $(ms) - t0 ))
    else
      t0=$(ms); run_restore; r=$(( $(ms) - t0 ))
    fi
  done
  apply_ms+=("$a"); restore_ms+=("$r")
  ratios+=("$(awk -v a="$a" -v r="$r" 'BEGIN { printf "%.2f", a / (r > 0 ? r : 1) }')")
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "machine: $(nproc) cores, $(uname -r), $(iptables -V)"
echo "rounds: $rounds (shuffled order within each round)"
printf '%-44s %10s\n' "what" "median ms"
printf '%-44s %10s\n' "iptables-restore + ip6tables-restore alone" "$(median "${restore_ms[@]}")"
printf '%-44s %10s\n' "asterisk-harden apply --no-confirm (whole)" "$(median "${apply_ms[@]}")"
echo "apply / plain restore, median of per-round ratios: $(median "${ratios[@]}")x"
a=$(median "${apply_ms[@]}")
if awk -v a="$a" 'BEGIN { exit !(a <= 1000) }'; then echo "within the 1 s budget"; else echo "OVER the 1 s budget"; fi

#!/usr/bin/env bash
# The firewall's per-packet cost, side by side: ten PBX namespaces (no
# firewall, the article's ruleset, ours, ours with 100,000 other bans, ours
# with 100,000 addresses on each of its sets, the floor of any stateful
# design for a phone in iptables (twice: the second is the bench's own
# error) and in native nftables, the floor of dropping a flood by its
# source, and the floor of doing both jobs), each fed
# by its own client namespace through a veth pair. One sender thread races
# them all: batch by batch in a shuffled order (ah-udpblast race), each
# namespace's rate is datagrams per CPU second spent in its own sends (on
# veth the receiver's netfilter runs in the sender's softirq), so every
# ruleset sees the same CPU at the same moment and the ratios hold while a
# shared machine's speed moves by a third between seconds. Several rounds;
# the median of the per-round ratios is printed. Traffic: a known phone's
# SIP, its RTP (both answered once by the PBX, as Asterisk answers a phone,
# so a stateful ruleset sees an established flow), a flood from a banned
# scanner, and a stranger's flood (an ordinary user agent, no hostname) from
# one source and from 1,000 rotating sources. Everything happens in
# namespaces this script makes (10.88.0.0/16) and deletes on every exit path.
# Run as root: scripts/bench-firewall.sh [rounds] (SAMPLE=seconds per race, default 1)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-9}"
sample="${SAMPLE:-1}"
cargo build --release --quiet --bins
bin="$PWD/target/release/asterisk-harden"
blast="$PWD/target/release/ah-udpblast"
tag="ahbench-$$"
source scripts/netns-reap.sh
reap_stale_namespaces
variants=(none article ours oursbans ours100k floor floor2 nftfloor dropfloor bothfloor)
bulk=100000
scenarios=(sip rtp flood stranger strangers)
many=1000
work="$(mktemp -d)"
sinks=()
cleanup() {
  for p in "${sinks[@]}"; do kill "$p" 2>/dev/null || true; done
  for v in "${variants[@]}"; do
    ip netns del "$tag-$v-pbx" 2>/dev/null || true
    ip netns del "$tag-$v-cli" 2>/dev/null || true
  done
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

for v in "${variants[@]}"; do
  pbx="$tag-$v-pbx"; cli="$tag-$v-cli"
  ip netns add "$pbx"; ip netns add "$cli"
  ip -n "$pbx" link set lo up; ip -n "$cli" link set lo up
  ip -n "$pbx" link add ens3 type veth peer name uplink0 netns "$cli"
  ip -n "$pbx" addr add 10.88.0.1/16 dev ens3
  # The phone, the banned scanner, a stranger, and 1,000 rotating strangers
  # (10.88.4.0 on), all inside the answers' local network: no bogon drop.
  for a in 10.88.0.2 10.88.0.3 10.88.0.4; do ip -n "$cli" addr add "$a/16" dev uplink0; done
  awk -v c="$many" 'BEGIN { for (i = 0; i < c; i++) printf "addr add 10.88.%d.%d/16 dev uplink0\n", 4 + int(i / 256), i % 256 }' |
    ip -n "$cli" -batch -
  ip -n "$pbx" link set ens3 up; ip -n "$cli" link set uplink0 up
  case "$v" in
    article) ip netns exec "$pbx" iptables-restore < assets/bench/article-v4.rules ;;
    ours|oursbans|ours100k)
      ip netns exec "$pbx" "$bin" --root "$work/root" render --answers "$work/answers.toml" > "$work/ours.rules"
      # The sets the rules name come first (the header lists them, as apply reads them).
      sed -n 's/^# \(create ah-.*\)/\1/p' "$work/ours.rules" | ip netns exec "$pbx" ipset restore -exist
      if [ "$v" = oursbans ]; then
        # 100,000 other bans: a ban list that size must cost nothing more.
        awk -v c="$bulk" 'BEGIN { for (i = 0; i < c; i++) printf "add ah-BADSIP 10.%d.%d.%d timeout 0\n", 22 + int(i / 65536), int(i / 256) % 256, i % 256 }' |
          ip netns exec "$pbx" ipset restore -exist
      fi
      if [ "$v" = ours100k ]; then
        # 100,000 other addresses on each set (phones, bans, traps, quiet;
        # timeout 0: kept for the whole run): lookups must stay flat.
        for set in ah-MYSIP ah-BADSIP ah-RLM ah-QUIET; do
          case "$set" in ah-MYSIP) net=20 ;; ah-BADSIP) net=22 ;; ah-RLM) net=24 ;; *) net=26 ;; esac
          awk -v s="$set" -v n="$net" -v c="$bulk" 'BEGIN { for (i = 0; i < c; i++) printf "add %s 10.%d.%d.%d timeout 0\n", s, n + int(i / 65536), int(i / 256) % 256, i % 256 }'
        done | ip netns exec "$pbx" ipset restore -exist
      fi
      ip netns exec "$pbx" iptables-restore < "$work/ours.rules" ;;
    floor|floor2)
      # The least any stateful iptables ruleset does for a known phone: one
      # set lookup and CT --notrack in raw, one accept of untracked in filter.
      # Loaded twice: the two columns differ only by the bench's own error.
      ip netns exec "$pbx" ipset create ah-floor hash:ip
      ip netns exec "$pbx" ipset add ah-floor 10.88.0.2
      ip netns exec "$pbx" iptables-restore <<'FLOOR'
*raw
:PREROUTING ACCEPT [0:0]
-A PREROUTING -m set --match-set ah-floor src -j CT --notrack
COMMIT
*filter
:INPUT ACCEPT [0:0]
-A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT
COMMIT
FLOOR
      ;;
    dropfloor)
      # The least any stateful iptables ruleset does to drop a flood by its
      # source: one set lookup and DROP, first thing in the raw table
      # (connection tracking registered by the filter rule, as in any
      # stateful ruleset). Ours also looks the phones up first, so its
      # floods cannot be cheaper than this.
      ip netns exec "$pbx" ipset create ah-drop hash:ip
      for a in 10.88.0.3 10.88.0.4; do ip netns exec "$pbx" ipset add ah-drop "$a"; done
      awk -v c="$many" 'BEGIN { for (i = 0; i < c; i++) printf "add ah-drop 10.88.%d.%d\n", 4 + int(i / 256), i % 256 }' |
        ip netns exec "$pbx" ipset restore -exist
      ip netns exec "$pbx" iptables-restore <<'DROPFLOOR'
*raw
:PREROUTING ACCEPT [0:0]
-A PREROUTING -m set --match-set ah-drop src -j DROP
COMMIT
*filter
:INPUT ACCEPT [0:0]
-A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT
COMMIT
DROPFLOOR
      ;;
    bothfloor)
      # The least a ruleset does that both lets a known phone in at the
      # floor's cost and drops a flood by its source: the phone's lookup
      # first (notrack, accept), then the drop's. A flood pays both lookups:
      # no phone-first ruleset can drop one for less.
      ip netns exec "$pbx" ipset create ah-both-phone hash:ip
      ip netns exec "$pbx" ipset add ah-both-phone 10.88.0.2
      ip netns exec "$pbx" ipset create ah-both-drop hash:ip
      for a in 10.88.0.3 10.88.0.4; do ip netns exec "$pbx" ipset add ah-both-drop "$a"; done
      awk -v c="$many" 'BEGIN { for (i = 0; i < c; i++) printf "add ah-both-drop 10.88.%d.%d\n", 4 + int(i / 256), i % 256 }' |
        ip netns exec "$pbx" ipset restore -exist
      ip netns exec "$pbx" iptables-restore <<'BOTHFLOOR'
*raw
:PREROUTING ACCEPT [0:0]
:PHONE - [0:0]
-A PREROUTING -m set --match-set ah-both-phone src -j PHONE
-A PREROUTING -m set --match-set ah-both-drop src -j DROP
-A PHONE -j CT --notrack
-A PHONE -j ACCEPT
COMMIT
*filter
:INPUT ACCEPT [0:0]
-A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT
COMMIT
BOTHFLOOR
      ;;
    nftfloor)
      # The same floor in native nftables (no nft_compat): would a native
      # backend reach 0.90x? One table, a raw-priority prerouting chain and an
      # input chain, a set lookup, notrack, accept.
      ip netns exec "$pbx" nft -f - <<'NFT'
table inet ahfloor {
  set phones { type ipv4_addr; flags timeout; elements = { 10.88.0.2 } }
  chain pre {
    type filter hook prerouting priority raw; policy accept;
    ip saddr @phones notrack accept
  }
  chain input {
    type filter hook input priority filter; policy accept;
    ct state untracked accept
  }
}
NFT
      ;;
  esac
  ip netns exec "$pbx" "$blast" sink 5060 10000 2>/dev/null &
  sinks+=("$!")
done
sleep 0.5

say() { # NS FROM TEXT: one datagram to the PBX's SIP port
  ip netns exec "$1" socat -u - "UDP-SENDTO:10.88.0.1:5060,bind=$2" <<< "$3"
}
for v in "${variants[@]}"; do
  # The phone registers with the hostname (known from now on); the scanner is banned.
  say "$tag-$v-cli" 10.88.0.2 "REGISTER sip:bench.example.net SIP/2.0"
  say "$tag-$v-cli" 10.88.0.3 "OPTIONS sip:100@10.88.0.1 SIP/2.0 User-Agent: friendly-scanner"
done

udp_in() { # packets that reached UDP in a PBX namespace (delivered or queued)
  ip netns exec "$1" awk '/^Udp: [0-9]/ { print $2 + $3 + $6 }' /proc/net/snmp
}
run() { # VARIANT SCENARIO: 0.3 s of that traffic (the sanity pass)
  local from=10.88.0.2 port=5060 kind=sip
  case "$2" in
    rtp) port=10000; kind=rtp ;;
    flood) from=10.88.0.3 ;;
    stranger) from=10.88.0.4; kind=stranger ;;
    strangers)
      ip netns exec "$tag-$1-cli" "$blast" send-many 10.88.4.0 "$many" 10.88.0.1:5060 stranger 0.3 | awk '{ print $4 }'
      return ;;
  esac
  ip netns exec "$tag-$1-cli" "$blast" send "$from" "10.88.0.1:$port" "$kind" 0.3 | awk '{ print $4 }'
}

declare -A delivered
# Sanity: the phone's packets get through every ruleset, the banned flood does not.
# (This first pass is also where ours meets each stranger for the first time:
# the timed samples see the steady state of a flood, as a PBX under one does.)
for v in "${variants[@]}"; do
  for s in "${scenarios[@]}"; do
    before=$(udp_in "$tag-$v-pbx"); run "$v" "$s" > /dev/null; after=$(udp_in "$tag-$v-pbx")
    delivered[$v,$s]=$(( after > before ))
  done
done

race() { # SCENARIO -> one line per variant, in the order of $variants
  local from=10.88.0.2:5062 port=5060 kind=sip specs=()
  case "$1" in
    rtp) from=10.88.0.2:10002; port=10000; kind=rtp ;;
    flood) from=10.88.0.3 ;;
    stranger) from=10.88.0.4; kind=stranger ;;
    strangers) from="10.88.4.0/$many"; kind=stranger ;;
  esac
  for v in "${variants[@]}"; do
    specs+=("$tag-$v-cli,$from,10.88.0.1:$port")
    # The PBX answers the phone's flow, as Asterisk does.
    case "$1" in sip|rtp) ip netns exec "$tag-$v-pbx" "$blast" answer "10.88.0.1:$port" "$from" ;; esac
  done
  "$blast" race "$kind" "$sample" "${specs[@]}"
}

declare -A rate
# Each round races the variants on each kind of traffic, the kinds in a
# shuffled order.
for ((r = 0; r < rounds; r++)); do
  for s in $(printf '%s\n' "${scenarios[@]}" | shuf); do
    mapfile -t lines < <(race "$s")
    for i in "${!variants[@]}"; do
      rate[${variants[$i]},$s,$r]=$(awk '{ print $3 }' <<< "${lines[$i]}")
    done
  done
done

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "machine: $(nproc) cores, $(uname -r), $(iptables -V), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "rounds: $rounds of ${sample}s races, the kinds of traffic shuffled; ratios taken within a round, median shown"
printf '%-22s %11s' "traffic" "no firewall"
printf ' %13s' "article" "ours" "+100k bans" "+100k each" "floor" "floor again" "nft floor" "drop floor" "both floor"
printf ' %10s %10s\n' "ours/floor" "ours/both"
within_round() { # NUMERATOR DENOMINATOR SCENARIO -> median over rounds of the per-round ratio
  local per=()
  for ((r = 0; r < rounds; r++)); do
    per+=("$(awk -v a="${rate[$1,$3,$r]}" -v f="${rate[$2,$3,$r]}" 'BEGIN { printf "%.3f", a / f }')")
  done
  median "${per[@]}"
}
for s in "${scenarios[@]}"; do
  none=()
  row=""
  for ((r = 0; r < rounds; r++)); do none+=("${rate[none,$s,$r]}"); done
  for v in article ours oursbans ours100k floor floor2 nftfloor dropfloor bothfloor; do
    row+=$(printf ' %6.3fx %-6s' "$(within_round "$v" none "$s")" "($([ "${delivered[$v,$s]}" = 1 ] && echo in || echo drop))")
  done
  # For a flood, "floor" is the drop floor.
  f=floor; case "$s" in flood|stranger*) f=dropfloor ;; esac
  case "$s" in
    sip) label="known-phone SIP" ;; rtp) label="known-phone RTP" ;; flood) label="banned-scanner flood" ;;
    stranger) label="stranger, one source" ;; strangers) label="stranger, $many sources" ;;
  esac
  printf '%-22s %7.0f pps%s %10.3f %10.3f\n' "$label" "$(median "${none[@]}")" "$row" \
    "$(within_round ours "$f" "$s")" "$(within_round ours bothfloor "$s")"
done
echo "(pps: datagrams per CPU second of the sender, median over rounds; every other figure is a ratio taken"
echo " within a round, where all variants shared the CPU batch by batch, then the median over rounds."
echo " in/drop: whether that traffic reached the PBX's UDP socket. The floor (loaded twice: the two columns"
echo " differ only by the bench's own error) and the nft floor do one set lookup + notrack, then accept: the"
echo " least a stateful ruleset does for a phone; they ban nothing, so the floods get in. The drop floor drops"
echo " the floods' sources with one lookup, first thing, and nothing else. The both floor does the phone's"
echo " lookup first and the drop's second: the least a ruleset that does both jobs costs a flood."
echo " ours/floor: ours over the floor (phones) or the drop floor (floods); ours/both: over the both floor)"
# Entries with a timeout are quieted strangers; "timeout 0" ones are bans
# copied there by their next packet (chain BANNED).
read -r quiet copies < <(ip netns exec "$tag-ours-pbx" ipset list ah-QUIET |
  awk '/ timeout 0$/ { c++; next } / timeout [0-9]+$/ { q++ } END { print q + 0, c + 0 }')
echo "quiet: ours holds $quiet quieted strangers at the end (of the one source and the $many rotating ones; an"
echo "  entry lasts 60 s from quieting, dropped packets do not renew it, a flood still going is quieted again)"
echo "  and $copies ban copied there for good (the banned scanner's)"
for v in oursbans ours100k; do
  held=$(ip netns exec "$tag-$v-pbx" ipset list ah-BADSIP -terse | awk -F': ' '/^Number of entries/ { print $2 }')
  first=$(ip netns exec "$tag-$v-pbx" ipset test ah-BADSIP 10.22.0.0 2>/dev/null && echo kept || echo LOST)
  scanner=$(ip netns exec "$tag-$v-pbx" ipset test ah-BADSIP 10.88.0.3 2>/dev/null && echo kept || echo LOST)
  label="+100k bans"; [ "$v" = ours100k ] && label="+100k each"
  echo "ban capacity: ours $label holds $held bans after the run (first bulk address $first, the live scanner $scanner)"
done
cap=$(cat /sys/module/xt_recent/parameters/ip_list_tot 2>/dev/null || echo unknown)
echo "  the article's xt_recent lists keep $cap addresses each here and evict the oldest"

#!/usr/bin/env bash
# Runs every test of asterisk-harden. On a fresh Debian/Ubuntu machine, run it
# as root: it installs what the tests need (the real iptables, scanners, sshd,
# tmux) and then runs formatting, lint and the whole test suite, including the
# network-namespace labs that need root.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests drive, by the command each provides.
declare -A needed=(
  [iptables-restore]=iptables
  [ipset]=ipset
  [svmap]=sipvicious
  [sipsak]=sipsak
  [socat]=socat
  [sshd]=openssh-server
  [tmux]=tmux
  [openssl]=openssl
  [nft]=nftables
  [man]=man-db
  [zsh]=zsh
  [fish]=fish
  [ansible-playbook]=ansible-core
  [fail2ban-client]=fail2ban
  [chattr]=e2fsprogs
  [ip]=iproute2
  [sipp]=sip-tester
  [jq]=jq
  [less]=less
  [timeout]=coreutils
  [lintian]=lintian
  [debootstrap]=debootstrap
)
missing=()
for cmd in "${!needed[@]}"; do
  if ! command -v "$cmd" >/dev/null 2>&1 && ! [ -x "/usr/sbin/$cmd" ]; then
    missing+=("${needed[$cmd]}")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
export PATH="$PATH:/usr/sbin:/sbin"

# bash-completion has no command of its own.
if [ ! -f /usr/share/bash-completion/bash_completion ] && [ "$(id -u)" -eq 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends bash-completion >/dev/null
fi

# The lab's real Asterisk (PJSIP), built for Debian 12 in ../shared/asterisk-lab:
# tests/asterisk_lab.rs runs it. Elsewhere those tests find `asterisk` on PATH or
# in ASTERISK_HARDEN_TEST_ASTERISK, and skip (saying how to get one) without it,
# except under CI=true.
if [ -z "${ASTERISK_HARDEN_TEST_ASTERISK:-}" ] && [ ! -x /opt/asterisk-lab/sbin/asterisk ]; then
  lab=""
  for dir in ../shared/asterisk-lab /work/shared/asterisk-lab; do
    if [ -z "$lab" ] && [ -f "$dir/install.sh" ]; then lab="$dir"; fi
  done
  if [ -n "$lab" ] && [ "$(id -u)" -eq 0 ]; then
    echo "installing the lab Asterisk from $lab"
    bash "$lab/install.sh" >/dev/null
  elif [ "${CI:-}" = true ]; then
    echo "CI=true and no lab Asterisk: ../shared/asterisk-lab/install.sh is missing or this is not root" >&2
    exit 1
  else
    echo "no lab Asterisk here: the Asterisk tests will skip (sudo ../shared/asterisk-lab/install.sh)"
  fi
fi

# The clean Debian 12 root of tests/package.rs, bootstrapped (once, cached
# under target/test-root/) while the code compiles.
root_job=
if [ "$(id -u)" -eq 0 ]; then
  mkdir -p target
  scripts/test-root.sh > target/test-root.log 2>&1 &
  root_job=$!
fi

cargo fmt --check
cargo clippy --all-targets --locked -- -D warnings
# The Debian package (tests/package.rs installs it and checks what it ships).
scripts/build-deb.sh

if [ -n "$root_job" ] && ! wait "$root_job"; then
  cat target/test-root.log >&2
  exit 1
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
cargo test --locked --all-targets 2>&1 | tee "$log"
# One closing line for the whole suite, summed over every test binary.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "all tests: %d passed, %d failed\n", p, f }' "$log"

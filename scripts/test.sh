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
  [timeout]=coreutils
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

cargo fmt --check
cargo clippy --all-targets --locked -- -D warnings
# The Debian package (tests/package.rs installs it and checks what it ships).
scripts/build-deb.sh

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
cargo test --locked --all-targets 2>&1 | tee "$log"
# One closing line for the whole suite, summed over every test binary.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "all tests: %d passed, %d failed\n", p, f }' "$log"

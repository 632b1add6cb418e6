#!/usr/bin/env bash
# The clean machine of tests/package.rs: a minbase Debian 12 root
# bootstrapped from Debian's mirror with debootstrap, with what the package
# depends on (iptables, iproute2) and what the test drives there (ipset for
# the boot units, man-db, bash-completion). Not nftables: probe must leave no
# trace where `nft` is missing. Built once and cached under target/test-root/
# (scripts/test.sh starts it while the code compiles); prints its path.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="$PWD/target/test-root"
root="$dir/bookworm"
mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9
if [ ! -f "$root/.complete" ]; then
  rm -rf "$root" "$root.partial"
  mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
  if ! debootstrap --variant=minbase \
      --include=iptables,iproute2,ipset,man-db,bash-completion \
      bookworm "$root.partial" "$mirror" > "$dir/debootstrap.log" 2>&1; then
    tail -20 "$dir/debootstrap.log" >&2
    echo "debootstrap of the test root failed (log: $dir/debootstrap.log)" >&2
    exit 1
  fi
  # The root is only ever copied, never changed: proc is mounted in copies.
  mv "$root.partial" "$root"
  touch "$root/.complete"
fi
echo "$root"

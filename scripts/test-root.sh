#!/usr/bin/env bash
# The clean machine of tests/package.rs: a minbase Debian 12 root
# bootstrapped from Debian's mirror with debootstrap, with what the package
# depends on (iptables, iproute2) and what the test drives there (ipset for
# the boot units, man-db, bash-completion). Not nftables: probe must leave no
# trace where `nft` is missing. Built once and cached under target/test-root/
# (scripts/test.sh starts it while the code compiles); prints its path.
set -euo pipefail
cd "$(dirname "$0")/.."
include=iptables,iproute2,ipset,man-db,bash-completion
dir="$PWD/target/test-root"
# Named after what it holds, so a changed list bootstraps a new root.
root="$dir/bookworm-minbase-$(printf %s "$include" | md5sum | cut -c1-8)"
mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9
if [ ! -f "$root/.complete" ]; then
  rm -rf "$root" "$root.partial"
  mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
  if ! debootstrap --variant=minbase \
      --include="$include" \
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

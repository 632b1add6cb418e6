#!/usr/bin/env bash
# Builds the Debian package: the release binary, the man page and shell
# completions generated from the command line's own definition, the Debian
# changelog, then cargo-deb (installed from crates.io when missing), and
# md5sums added to its control part. Output: target/debian/*.deb
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-deb >/dev/null 2>&1 || cargo install cargo-deb --locked
cargo build --release --locked
bin=target/release/asterisk-harden
out=target/generated
mkdir -p "$out/completions"
"$bin" manpage | gzip -9n > "$out/asterisk-harden.8.gz"
"$bin" completions bash > "$out/completions/asterisk-harden.bash"
"$bin" completions zsh > "$out/completions/_asterisk-harden"
"$bin" completions fish > "$out/completions/asterisk-harden.fish"
# The upstream changelog under the name Debian expects.
gzip -9n < CHANGELOG.md > "$out/changelog.gz"

version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
maintainer="$(sed -n 's/^maintainer = "\(.*\)"/\1/p' Cargo.toml | head -1)"
# The last commit's time, so the same tree builds the same package.
when="$(git log -1 --format=%ct 2>/dev/null || date +%s)"
cat > "$out/changelog.Debian" <<CHANGES
asterisk-harden (${version}-1) unstable; urgency=medium

  * Package of upstream version ${version}: see changelog.gz for what changed.

 -- ${maintainer}  $(LC_ALL=C date -u -R -d "@$when")
CHANGES

rm -f target/debian/asterisk-harden_*.deb
cargo deb --no-build --locked
deb="$(ls target/debian/asterisk-harden_*.deb)"

# cargo-deb writes no md5sums (dpkg --verify and debsums read them): unpack,
# add them, pack again with root as the owner of every file.
tree="$(mktemp -d)"
trap 'rm -rf "$tree"' EXIT
dpkg-deb -R "$deb" "$tree/pkg"
(cd "$tree/pkg" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) > "$tree/md5sums"
install -m 644 "$tree/md5sums" "$tree/pkg/DEBIAN/md5sums"
dpkg-deb --root-owner-group -Zxz --build "$tree/pkg" "$deb" >/dev/null
echo "$deb"

#!/usr/bin/env bash
# Builds the Debian package: the release binary, the man page and shell
# completions generated from the command line's own definition, then
# cargo-deb (installed from crates.io when missing). Output: target/debian/*.deb
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-deb >/dev/null 2>&1 || cargo install cargo-deb --locked
cargo build --release --locked
bin=target/release/asterisk-harden
out=target/generated
mkdir -p "$out/completions"
"$bin" manpage > "$out/asterisk-harden.8"
"$bin" completions bash > "$out/completions/asterisk-harden.bash"
"$bin" completions zsh > "$out/completions/_asterisk-harden"
"$bin" completions fish > "$out/completions/asterisk-harden.fish"
rm -f target/debian/asterisk-harden_*.deb
cargo deb --no-build --locked
ls target/debian/asterisk-harden_*.deb

#!/usr/bin/env bash
# Re-vendors the browser libraries the pages load, from npm, byte for byte: each is a pinned
# version whose file must match the pinned SHA-256 (bump VERSION and SHA256 together).
#  - socket.io-client (chat page): the Rasa 3.6 server side is python-socketio 5.x (Engine.IO
#    protocol 4), which needs socket.io-client 3.x or 4.x.
#  - chart.js (dashboard, /dashboard): its UMD build defines the global `Chart`.
# The committed files are what the pages serve; the licences sit next to them.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

# vendor PACKAGE VERSION SHA256 FILE_IN_PACKAGE LICENSE_IN_PACKAGE TARGET_NAME LICENSE_NAME
vendor() {
  local pkg=$1 version=$2 sha=$3 file=$4 licence=$5 target=$6 licence_target=$7
  local dir="$tmp/$pkg"
  mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "$pkg@$version" >/dev/null && tar xzf ./*.tgz)
  echo "$sha  $dir/package/$file" | sha256sum -c -
  cp "$dir/package/$file" "$here/$target"
  cp "$dir/package/$licence" "$here/$licence_target"
  echo "vendored $pkg $version -> web/vendor/$target"
}

vendor socket.io-client 4.8.1 b0e735814f8dcfecd6cdb8a7ce95a297a7e1e5f2727a29e6f5901801d52fa0c5 \
  dist/socket.io.min.js LICENSE socket.io.min.js socket.io.LICENSE
vendor chart.js 4.6.1 87364cc2b2a76a6684929e7d6b80b18a897794db38400caff1fcf1791c6925d2 \
  dist/chart.umd.min.js LICENSE.md chart.umd.min.js chart.js.LICENSE.md

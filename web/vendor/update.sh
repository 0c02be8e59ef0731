#!/usr/bin/env bash
# Re-vendors the socket.io browser client from npm. The Rasa 3.6 server side is
# python-socketio 5.x (Engine.IO protocol 4), which needs socket.io-client 3.x or 4.x.
# Bump VERSION and SHA256 together; the committed file is what the page serves.
set -euo pipefail
VERSION=4.8.1
SHA256=b0e735814f8dcfecd6cdb8a7ce95a297a7e1e5f2727a29e6f5901801d52fa0c5
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "socket.io-client@$VERSION" >/dev/null && tar xzf "socket.io-client-$VERSION.tgz")
echo "$SHA256  $tmp/package/dist/socket.io.min.js" | sha256sum -c -
cp "$tmp/package/dist/socket.io.min.js" "$here/socket.io.min.js"
cp "$tmp/package/LICENSE" "$here/socket.io.LICENSE"
echo "vendored socket.io-client $VERSION"

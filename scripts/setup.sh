#!/usr/bin/env bash
# Installs everything avsync needs on a fresh Debian machine, idempotently:
# the Debian packages its features use, then the npm dependencies (which also builds dist/).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: iproute2 gives `ss` (TCP state sampling) and `ip` (network namespaces).
packages=(iproute2)

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "avsync setup: needs root to install ${missing[*]} (apt-get). Run as root or install them yourself." >&2
    exit 1
  fi
  echo "avsync setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "avsync setup: needs Node.js 20 or newer, found $(node --version)." >&2
  exit 1
fi

# npm ci builds dist/ through the prepare script.
npm ci --no-audit --no-fund --loglevel=error

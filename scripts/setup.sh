#!/usr/bin/env bash
# Installs everything avsync needs on a fresh Debian machine, idempotently: the Debian packages its
# features use, then the npm dependencies (which also builds dist/).
#   bash scripts/setup.sh          what `avsync bench`, `serve`, `report` and `tw-storm` need
#   bash scripts/setup.sh --test   also what the test suite needs (Chromium for the browser checks)
set -euo pipefail
cd "$(dirname "$0")/.."

# iproute2: `ss` (TCP state sampling) and `ip netns` (tw-storm's namespaces).
# The cairo/pango/jpeg/gif/rsvg development packages and a compiler: npm's `canvas` (behind
# chartjs-node-canvas, for PNG charts) cannot download its prebuilt binary here and builds from source.
# ffmpeg: the probe decodes H.264, VP9 and AV1 with Debian's libavcodec/libdav1d (VP8 needs nothing: libav.js).
# espeak-ng: the speech `bench --talk` says to a talking head, synthesized on this machine.
packages=(iproute2 ffmpeg espeak-ng build-essential python3 pkg-config libcairo2-dev libpango1.0-dev libjpeg-dev libgif-dev librsvg2-dev fonts-dejavu-core)
if [ "${1:-}" = "--test" ]; then
  # Debian's Chromium, driven by playwright-core (never a browser downloaded by a test tool);
  # strace, with which the doctor tests prove the command never writes to /proc/sys;
  # Debian's aiortc, an independent WebRTC stack the interop tests measure (run by /usr/bin/python3);
  # GStreamer's webrtcbin (-bad, with ivfparse and h264parse; qtdemux and the RTP payloaders from -good,
  # opusenc from -base, ICE from gstreamer1.0-nice) driven from Python:
  # the stream corpus's second independent sender (fixtures/gstreamer/webrtc_sender.py);
  # coturn, the TURN relay the probe's --ice-transport relay is proven through (its service stays off).
  packages+=(chromium strace coturn python3-aiortc python3-aiohttp python3-numpy
    gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
    gstreamer1.0-nice python3-gst-1.0 gir1.2-gst-plugins-base-1.0 gir1.2-gst-plugins-bad-1.0)
fi

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

# npm ci builds dist/ through the prepare script; canvas compiles from source (allowScripts).
npm ci --no-audit --no-fund --loglevel=error

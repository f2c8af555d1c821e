#!/usr/bin/env bash
# The one list of system packages the test suites need (Debian bookworm). Run as root.
#   python3-autobahn + cbor2/msgpack/nacl: Autobahn|Python interop peer (run with /usr/bin/python3)
#   mosquitto, mosquitto-clients: MQTT baseline for the benchmark and MQTT interop
#   systemd: systemd-analyze (verify the units) and systemd-notify (readiness and watchdog tests)
#   chromium: headless browser for the web UI tests (test/web/*.browser.test.ts) and the page bench
set -euo pipefail
PACKAGES=(
  python3-autobahn python3-cbor2 python3-msgpack python3-nacl
  mosquitto mosquitto-clients
  systemd chromium
)
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${PACKAGES[@]}"

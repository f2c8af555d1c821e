#!/usr/bin/env bash
# The one list of system packages the test suites need (Debian bookworm). Run as root.
#   python3-autobahn + cbor2/msgpack/nacl: Autobahn|Python interop peer (run with /usr/bin/python3)
#   mosquitto, mosquitto-clients: MQTT baseline for the benchmark and MQTT interop
set -euo pipefail
PACKAGES=(
  python3-autobahn python3-cbor2 python3-msgpack python3-nacl
  mosquitto mosquitto-clients
)
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${PACKAGES[@]}"

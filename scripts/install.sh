#!/usr/bin/env bash
# Installs switchyard as systemd services (docs/raspberry-pi.md). Idempotent: run it again after
# every update (git pull && npm ci && npm run build); it changes only what differs and prints each change.
set -euo pipefail
umask 022
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/deploy-common.sh
. "$SRC/scripts/deploy-common.sh"

USAGE="Usage: sudo scripts/install.sh [--enable device|router|both|none] [--config FILE] [--node PATH]
                              [--no-deps] [--root DIR] [--dry-run]

Installs the built dist/ with its production dependencies into $PREFIX, the system user
'$SERVICE_USER', $CONF_DIR (configs 0640 root:$SERVICE_USER, keys 0600 $SERVICE_USER), the
units switchyard-device.service and switchyard-router.service, a udev rule for /dev/gpiochip*
when the image has none, and $BIN_LINK; enables and (re)starts the chosen units.
Existing configs are never overwritten.

  --enable WHAT   units to enable and start (default: device)
  --config FILE   the device config to install as $CONF_DIR/device.yaml when there is none
                  (default: devices/demo.yaml, simulated hardware)
  --node PATH     the node binary for ExecStart= (default: node on PATH)
  --no-deps       do not run npm ci (tests; a tree whose node_modules is managed elsewhere)
  --root DIR      install into the staging tree DIR; as root, the user is created only when
                  DIR/etc/passwd exists; nothing is started
  --dry-run       print what would be done, change nothing"

ENABLE=device
CONFIG_SRC="$SRC/devices/demo.yaml"
NODE=""
DEPS=1

take_option() {
  case "$1" in
    -h | --help) echo "$USAGE"; exit 0 ;;
    --no-deps) DEPS=0; return 0 ;;
    --enable) [ -n "$2" ] || die "--enable needs a value"; ENABLE=$2; return 1 ;;
    --config) [ -n "$2" ] || die "--config needs a file"; CONFIG_SRC=$2; return 1 ;;
    --node) [ -n "$2" ] || die "--node needs a path"; NODE=$2; return 1 ;;
    *) return 2 ;;
  esac
}
parse_common take_option "$@"

case "$ENABLE" in
  device | router) ENABLED_UNITS=("switchyard-$ENABLE.service") ;;
  both) ENABLED_UNITS=("${UNITS[@]}") ;;
  none) ENABLED_UNITS=() ;;
  *) die "--enable must be device, router, both or none" ;;
esac
[ -f "$SRC/dist/cli/main.js" ] || die "no build in $SRC/dist: run 'npm ci && npm run build' first (or use a tarball from scripts/pack.sh)"
[ -f "$CONFIG_SRC" ] || die "--config $CONFIG_SRC: no such file"

# node: an absolute path outside /home and /root (ProtectHome= hides those from the service).
if [ -z "$NODE" ]; then NODE=$(command -v node || true); fi
[ -n "$NODE" ] || die "node not found on PATH: install Node.js 20 or newer (docs/raspberry-pi.md), or pass --node PATH"
case "$NODE" in
  /home/* | /root/*) die "node at $NODE is hidden from the service (ProtectHome=yes): install Node.js system-wide" ;;
  /*) ;;
  *) die "--node must be an absolute path" ;;
esac
"$NODE" -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' ||
  die "$NODE is Node.js $("$NODE" --version): switchyard needs 20 or newer (docs/raspberry-pi.md)"

install_accounts() {
  if ! account_tools_usable; then
    note "skip: user '$SERVICE_USER', groups ${DEVICE_GROUPS[*]} and owners (needs root, and with --root a DIR/etc/passwd)"
    return 0
  fi
  local group
  for group in "${DEVICE_GROUPS[@]}"; do
    [ -n "$(group_id "$group")" ] || run groupadd "${ROOT_FLAG[@]}" --system "$group"
  done
  if [ -z "$(user_id "$SERVICE_USER")" ]; then
    run useradd "${ROOT_FLAG[@]}" --system --user-group --no-create-home --home-dir "$STATE_DIR" \
      --shell /usr/sbin/nologin --comment "switchyard WAMP device" "$SERVICE_USER"
  fi
}

# sync_dir SRC DEST: DEST becomes a copy of SRC (files 0644, directories and executables 0755).
sync_dir() {
  if [ -d "$2" ] && diff -r -q "$1" "$2" >/dev/null 2>&1; then return 0; fi
  remove "$2"
  run cp -R "$1" "$2"
  run chmod -R u=rwX,go=rX "$2"
}

install_program() {
  local dir script sub file
  dir=$(at "$PREFIX")
  ensure_dir "$dir" 0755 root root
  sync_dir "$SRC/dist" "$dir/dist"
  set_mode 0755 "$dir/dist/cli/main.js"
  for sub in devices systemd docs; do
    [ ! -d "$SRC/$sub" ] || sync_dir "$SRC/$sub" "$dir/$sub"
  done
  ensure_dir "$dir/scripts" 0755 root root
  for script in deploy-common.sh install.sh uninstall.sh; do
    install_file "$SRC/scripts/$script" "$dir/scripts/$script" 0755
  done
  for file in package.json package-lock.json README.md; do
    [ ! -f "$SRC/$file" ] || install_file "$SRC/$file" "$dir/$file" 0644
  done
  ensure_parent "$(at "$(dirname "$BIN_LINK")")"
  [ "$(readlink "$(at "$BIN_LINK")" 2>/dev/null)" = "$PREFIX/dist/cli/main.js" ] || run ln -sfn "$PREFIX/dist/cli/main.js" "$(at "$BIN_LINK")"
}

# npm ci --omit=dev in $PREFIX, again only when the lock file, Node's ABI or the architecture
# changed. Native addons: serialport's bindings and the cbor/msgpack extractors ship prebuilds for
# arm and arm64; onoff's epoll is compiled here (build-essential, python3).
install_deps() {
  if [ "$DEPS" -eq 0 ]; then note "skip: production dependencies (--no-deps)"; return 0; fi
  local dir npm stamp
  dir=$(at "$PREFIX")
  npm="$(dirname "$NODE")/npm"
  [ -x "$npm" ] || npm=$(command -v npm) || die "npm not found: apt-get install npm"
  stamp="$(sha256sum <"$SRC/package-lock.json" | cut -d' ' -f1) $("$NODE" -p 'process.versions.modules + " " + process.platform + "-" + process.arch')"
  if [ "$(cat "$dir/node_modules/.switchyard-deps" 2>/dev/null)" = "$stamp" ]; then return 0; fi
  run env "PATH=$(dirname "$NODE"):$PATH" "$npm" ci --prefix "$dir" --omit=dev --no-audit --no-fund --loglevel=error
  [ "$DRY_RUN" -eq 1 ] || printf '%s\n' "$stamp" >"$dir/node_modules/.switchyard-deps"
  [ "$DRY_RUN" -eq 1 ] || check_addons "$dir"
}

check_addons() {
  (cd "$1" && "$NODE" -e 'require("@serialport/bindings-cpp")' 2>/dev/null) ||
    note "warning: serialport's native binding does not load: the serial driver will not work (apt-get install build-essential python3, then run this again)"
  (cd "$1" && "$NODE" -e 'require("onoff")' 2>/dev/null) ||
    note "warning: onoff (sysfs GPIO) is not available: gpio uses the libgpiod tools instead (apt-get install gpiod; or build-essential python3 for onoff, then run this again)"
}

install_config() {
  local dir file
  dir=$(at "$CONF_DIR")
  ensure_dir "$dir" 0755 root root
  [ -e "$dir/device.yaml" ] || run install -m 0640 "$CONFIG_SRC" "$dir/device.yaml"
  [ -e "$dir/router.yaml" ] || run install -m 0640 "$SRC/systemd/router.yaml" "$dir/router.yaml"
  shopt -s nullglob
  local files=("$dir/device.yaml" "$dir/router.yaml")
  for file in "$dir"/*; do
    case "$file" in "$dir/device.yaml" | "$dir/router.yaml") ;; *) [ ! -f "$file" ] || files+=("$file") ;; esac
  done
  shopt -u nullglob
  for file in "${files[@]}"; do
    case "$file" in
      *.key | *.ticket | *.secret) set_mode 0600 "$file"; set_owner "$SERVICE_USER" "$SERVICE_USER" "$file" ;;
      *) set_mode 0640 "$file"; set_owner root "$SERVICE_USER" "$file" ;;
    esac
  done
}

# The units, with this machine's node in ExecStart=.
install_units() {
  local unit
  ensure_parent "$(at "$UNIT_DIR")"
  RENDERED=$(mktemp -d)
  trap 'rm -rf "$RENDERED"' EXIT
  for unit in "${UNITS[@]}"; do
    sed "s|^ExecStart=/usr/bin/node |ExecStart=$NODE |" "$SRC/systemd/$unit" >"$RENDERED/$unit"
    install_file "$RENDERED/$unit" "$(at "$UNIT_DIR/$unit")" 0644
  done
}

# Our rule only when no rule of the image mentions gpiochip (Raspberry Pi OS has 99-com.rules).
install_udev_rule() {
  local rule
  rule=$(at "$UDEV_RULE")
  if [ ! -e "$rule" ] && grep -q -s gpiochip "$(at /etc/udev/rules.d)"/*.rules "$(at /lib/udev/rules.d)"/*.rules \
    "$(at /usr/lib/udev/rules.d)"/*.rules; then
    return 0
  fi
  ensure_parent "$(dirname "$rule")"
  local before=$CHANGED
  install_file "$SRC/systemd/60-switchyard-gpio.rules" "$rule" 0644
  if [ "$CHANGED" != "$before" ] && [ -z "$ROOT" ] && [ -S /run/udev/control ]; then
    run udevadm control --reload-rules
    run udevadm trigger --subsystem-match=gpio --subsystem-match=pwm --action=add
  fi
}

enable_units() {
  local unit
  if [ -n "$ROOT" ]; then
    # What "systemctl --root DIR enable" makes for WantedBy=multi-user.target.
    for unit in "${ENABLED_UNITS[@]}"; do
      ensure_parent "$(at "$WANTS_DIR")"
      [ -L "$(at "$WANTS_DIR/$unit")" ] || run ln -s "$UNIT_DIR/$unit" "$(at "$WANTS_DIR/$unit")"
    done
    return 0
  fi
  if systemd_running && [ "$CHANGED" -eq 1 ]; then run systemctl daemon-reload; fi
  for unit in "${ENABLED_UNITS[@]}"; do
    systemctl is-enabled --quiet "$unit" 2>/dev/null || run systemctl enable "$unit"
    # Restarted when anything changed, so the new code runs; started when it is not running.
    if systemd_running && { [ "$CHANGED" -eq 1 ] || ! systemctl is-active --quiet "$unit"; }; then
      run systemctl restart "$unit"
    fi
  done
}

install_accounts
install_program
install_deps
install_config
install_units
install_udev_rule
enable_units
if [ "$CHANGED" -eq 0 ]; then note "switchyard: already installed, nothing changed"; fi
if systemd_running && [ "${#ENABLED_UNITS[@]}" -gt 0 ]; then
  note "logs: journalctl -u ${ENABLED_UNITS[0]%.service} -f    status: systemctl status ${ENABLED_UNITS[*]}"
fi

#!/usr/bin/env bash
# Removes what scripts/install.sh added. Keeps the configs (/etc/switchyard), the state
# (/var/lib/switchyard: the persisted reading buffer) and the user, unless --purge.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/deploy-common.sh
. "$HERE/deploy-common.sh"

USAGE="Usage: sudo scripts/uninstall.sh [--purge] [--root DIR] [--dry-run]

Stops and disables the switchyard units, removes them, $PREFIX, $BIN_LINK and the udev rule.
  --purge     also remove $CONF_DIR, $STATE_DIR, the units' drop-ins and the user '$SERVICE_USER'
              (the groups gpio, i2c, spi stay: other programs may use them)
  --root DIR  uninstall from the staging tree DIR
  --dry-run   print what would be done, change nothing"

PURGE=0
take_option() {
  case "$1" in
    -h | --help) echo "$USAGE"; exit 0 ;;
    --purge) PURGE=1; return 0 ;;
    *) return 2 ;;
  esac
}
parse_common take_option "$@"

for unit in "${UNITS[@]}"; do
  if [ -z "$ROOT" ] && [ -e "$UNIT_DIR/$unit" ]; then
    if systemd_running; then
      run systemctl disable --now "$unit"
    elif systemctl is-enabled --quiet "$unit" 2>/dev/null; then
      run systemctl disable "$unit"
    fi
  fi
  remove "$(at "$WANTS_DIR/$unit")"
  remove "$(at "$UNIT_DIR/$unit")"
  if [ "$PURGE" -eq 1 ]; then remove "$(at "$UNIT_DIR/$unit.d")"; fi
done
remove_empty_dir "$(at "$WANTS_DIR")"
if systemd_running && [ "$CHANGED" -eq 1 ]; then run systemctl daemon-reload; fi

if [ -e "$(at "$UDEV_RULE")" ]; then
  remove "$(at "$UDEV_RULE")"
  if [ -z "$ROOT" ] && [ -S /run/udev/control ]; then run udevadm control --reload-rules; fi
fi
if [ "$(readlink "$(at "$BIN_LINK")" 2>/dev/null)" = "$PREFIX/dist/cli/main.js" ]; then remove "$(at "$BIN_LINK")"; fi
remove "$(at "$PREFIX")"

if [ "$PURGE" -eq 1 ]; then
  remove "$(at "$CONF_DIR")"
  remove "$(at "$STATE_DIR")"
  if [ -n "$(user_id "$SERVICE_USER")" ]; then
    if account_tools_usable; then
      run userdel "${ROOT_FLAG[@]}" "$SERVICE_USER"
      # userdel drops the user's own group only where login.defs says USERGROUPS_ENAB yes.
      if [ "$DRY_RUN" -eq 0 ] && [ -n "$(group_id "$SERVICE_USER")" ]; then run groupdel "${ROOT_FLAG[@]}" "$SERVICE_USER"; fi
    else
      note "skip: userdel $SERVICE_USER (needs root, and with --root a DIR/etc/passwd)"
    fi
  fi
else
  for kept in "$CONF_DIR" "$STATE_DIR"; do
    if [ -e "$(at "$kept")" ]; then note "kept: $kept (--purge removes it)"; fi
  done
fi
if [ "$CHANGED" -eq 0 ]; then note "switchyard: not installed, nothing changed"; fi

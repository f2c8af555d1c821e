# shellcheck shell=bash
# shellcheck disable=SC2034  # the variables are for the scripts that source this file
# Shared by install.sh and uninstall.sh (sourced, not run): where things go, --root/--dry-run, and
# the few helpers through which every change is made, so --dry-run can print instead of doing.

PREFIX=/opt/switchyard
CONF_DIR=/etc/switchyard
STATE_DIR=/var/lib/switchyard
UNIT_DIR=/etc/systemd/system
WANTS_DIR=/etc/systemd/system/multi-user.target.wants
UDEV_RULE=/etc/udev/rules.d/60-switchyard-gpio.rules
BIN_LINK=/usr/local/bin/switchyard
SERVICE_USER=switchyard
UNITS=(switchyard-device.service switchyard-router.service)
# Groups of the device unit's SupplementaryGroups=; created when the image lacks them.
DEVICE_GROUPS=(gpio dialout i2c spi)

ROOT=""      # --root DIR: a staging tree instead of this machine
ROOT_FLAG=() # (--root DIR) for useradd, groupadd, userdel
DRY_RUN=0    # --dry-run: print the changes, make none
CHANGED=0    # set by run(): whether anything was changed

die() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

note() {
  echo "$*"
}

# The path of target path $1 (absolute) in the tree being changed.
at() {
  printf '%s%s' "$ROOT" "$1"
}

# Runs one command that changes something, after printing it; with --dry-run only prints it.
run() {
  printf '+'
  printf ' %q' "$@"
  printf '\n'
  CHANGED=1
  if [ "$DRY_RUN" -eq 0 ]; then
    "$@"
  fi
}

is_root() {
  [ "$(id -u)" -eq 0 ]
}

# Whether this machine's systemd is running and is the target (not a staging root, chroot or container).
systemd_running() {
  [ -z "$ROOT" ] && [ -d /run/systemd/system ]
}

# Takes the options both scripts share; the others are passed to $1 (a function: option, value).
# Sets ROOT and DRY_RUN; the caller's handler returns 1 for an option it took with its value.
parse_common() {
  local handler=$1
  shift
  while [ $# -gt 0 ]; do
    case "$1" in
      --root) [ $# -ge 2 ] || die "--root needs a directory"; ROOT=$2; shift 2 ;;
      --root=*) ROOT=${1#--root=}; shift ;;
      --dry-run) DRY_RUN=1; shift ;;
      *)
        local took=0
        "$handler" "$1" "${2-}" || took=$?
        [ "$took" -le 1 ] || die "unknown option '$1' (--help)"
        shift $((took + 1))
        ;;
    esac
  done
  if [ -n "$ROOT" ]; then
    [ -d "$ROOT" ] || die "--root $ROOT: no such directory"
    ROOT=$(cd "$ROOT" && pwd)
    [ "$ROOT" != / ] || ROOT=""
  fi
  [ -z "$ROOT" ] || ROOT_FLAG=(--root "$ROOT")
  if [ -z "$ROOT" ] && [ "$DRY_RUN" -eq 0 ] && ! is_root; then
    die "run as root (sudo), or with --root DIR or --dry-run"
  fi
}

# account_id passwd|group NAME: the numeric id of a user or group in the target ("" when unknown):
# its /etc file with --root.
account_id() {
  if [ -n "$ROOT" ]; then
    [ -f "$ROOT/etc/$1" ] && awk -F: -v n="$2" '$1 == n { print $3; exit }' "$ROOT/etc/$1"
  else
    getent "$1" "$2" | cut -d: -f3
  fi
  return 0
}

user_id() { account_id passwd "$1"; }
group_id() { account_id group "$1"; }

# With --root, useradd/groupadd/userdel work on the tree's /etc (they need one, and root).
account_tools_usable() {
  is_root && { [ -z "$ROOT" ] || [ -f "$ROOT/etc/passwd" ]; }
}


# set_mode MODE PATH: chmod only when the mode differs (a path still to be made gets its mode then).
set_mode() {
  if [ -e "$2" ] && [ "$(stat -c %a "$2")" != "${1#0}" ]; then run chmod "$1" "$2"; fi
}

# set_owner USER GROUP PATH: chown only as root (a staging tree filled by a normal user keeps that
# user's files) and only when the owner differs; numeric ids from the target's /etc with --root.
set_owner() {
  is_root || return 0
  # A staging tree without accounts: nothing to chown to (install_accounts said so).
  if [ -n "$ROOT" ] && [ ! -f "$ROOT/etc/passwd" ]; then return 0; fi
  # What root creates is root's already.
  if [ ! -e "$3" ] && [ "$1" = root ] && [ "$2" = root ]; then return 0; fi
  local uid gid
  uid=$(user_id "$1")
  gid=$(group_id "$2")
  if [ -z "$uid" ] || [ -z "$gid" ]; then
    if [ "$DRY_RUN" -eq 1 ]; then run chown "$1:$2" "$3"; else note "skip: chown $1:$2 $3 (no such user or group in the target)"; fi
    return 0
  fi
  if [ ! -e "$3" ] || [ "$(stat -c %u:%g "$3")" != "$uid:$gid" ]; then run chown "$uid:$gid" "$3"; fi
}

# ensure_dir PATH MODE USER GROUP
ensure_dir() {
  if [ -d "$1" ]; then set_mode "$2" "$1"; else run install -d -m "$2" "$1"; fi
  set_owner "$3" "$4" "$1"
}

# ensure_parent PATH: a system directory (/etc/systemd/system, /usr/local/bin…), made when missing
# but otherwise left as the image has it.
ensure_parent() {
  [ -d "$1" ] || run install -d -m 0755 "$1"
}

# install_file SRC DEST MODE: copies when the content differs, else only fixes the mode.
install_file() {
  if cmp -s "$1" "$2"; then set_mode "$3" "$2"; else run install -m "$3" "$1" "$2"; fi
}

# remove PATH: rm -rf when it exists.
remove() {
  if [ -e "$1" ] || [ -L "$1" ]; then run rm -rf "$1"; fi
}

# remove_empty_dir PATH: rmdir when it exists and is empty.
remove_empty_dir() {
  if [ -d "$1" ] && [ -z "$(ls -A "$1")" ]; then run rmdir "$1"; fi
}

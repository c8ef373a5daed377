#!/usr/bin/env bash
# Runs every Tidings test. On a Debian or Ubuntu machine, as root, it first installs what the
# tests need and is missing (the mail servers the integration tests start on loopback).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(ca-certificates dovecot-core dovecot-imapd dovecot-pop3d dovecot-lmtpd postfix
          dbus gnome-keyring dnsmasq-base fonts-wqy-microhei fonts-dejavu-core
          # xdg-mime for the default-mail-app check; the real-window test: a virtual X server,
          # a window finder, a screenshot tool, and the X and GL libraries it opens at run time.
          xdg-utils xvfb xdotool x11-utils imagemagick libxcursor1 libxrandr2 libxi6 libxkbcommon-x11-0 libx11-xcb1
          libegl1 libegl-mesa0 libgl1-mesa-dri
          # Courier and Cyrus for the interop tests: their libraries and helpers from apt, the
          # servers themselves unpacked below (their packages conflict with Dovecot's).
          courier-base courier-authdaemon courier-authlib-userdb libcourier-unicode4 gamin
          libgamin0 cyrus-common cyrus-admin sasl2-bin)
missing=()
for p in "${packages[@]}"; do
    [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing packages: ${missing[*]}; run this script as root to install them" >&2
        exit 1
    fi
    # Postfix must not write a system configuration, and no package may start a system-wide
    # daemon: the tests run their own instances with their own config files.
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    made_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        made_policy=1
    fi
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
    if [ -n "$made_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
fi

# Courier and Cyrus declare Conflicts with Dovecot's imap-server and pop3-server, so their
# server packages are unpacked into a private root the harness starts them from.
interop_root=/var/tmp/tidings-interop
if [ ! -e "$interop_root/.unpacked" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "the Courier and Cyrus servers are not unpacked in $interop_root; run this script as root" >&2
        exit 1
    fi
    debs=$(mktemp -d)
    chmod 777 "$debs"
    # Package lists may be missing or stale when nothing else needed installing.
    (cd "$debs" && { apt-get download -q cyrus-imapd courier-imap courier-pop ||
        { apt-get update -q && apt-get download -q cyrus-imapd courier-imap courier-pop; }; })
    rm -rf "$interop_root"
    mkdir -p "$interop_root"
    for deb in "$debs"/*.deb; do dpkg -x "$deb" "$interop_root"; done
    rm -rf "$debs"
    touch "$interop_root/.unpacked"
fi

# Passwords go to a real Secret Service: gnome-keyring in a private D-Bus session, with its
# keyring files in throw-away directories, unlocked with a test password.
dbus-run-session -- bash -euo pipefail -c '
    XDG_RUNTIME_DIR=$(mktemp -d) XDG_DATA_HOME=$(mktemp -d)
    export XDG_RUNTIME_DIR XDG_DATA_HOME
    chmod 700 "$XDG_RUNTIME_DIR"
    eval "$(printf "tidings-test-keyring" | gnome-keyring-daemon --unlock --components=secrets)"
    export GNOME_KEYRING_CONTROL
    cargo test --locked "$@"
' run-tests "$@"

# iced_test writes a snapshot that does not exist yet and passes: a new or changed PNG that is
# not committed must fail the run, or a rendering change could land unseen.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    pending=$(git status --porcelain -- tests/snapshots)
    if [ -n "$pending" ]; then
        echo "snapshots new or changed and not committed (look at them, then commit):" >&2
        echo "$pending" >&2
        exit 1
    fi
fi

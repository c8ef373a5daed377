#!/usr/bin/env bash
# Runs every Tidings test. On a Debian or Ubuntu machine, as root, it first installs what the
# tests need and is missing (the mail servers the integration tests start on loopback).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(ca-certificates dovecot-core dovecot-imapd dovecot-pop3d dovecot-lmtpd postfix
          dbus gnome-keyring dnsmasq-base fonts-wqy-microhei fonts-dejavu-core)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
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

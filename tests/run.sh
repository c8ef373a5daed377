#!/usr/bin/env bash
# Runs every Tidings test. On a Debian or Ubuntu machine, as root, it first installs what the
# tests need and is missing (the mail servers the integration tests start on loopback).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(ca-certificates dovecot-core dovecot-imapd dovecot-pop3d dovecot-lmtpd postfix)
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

cargo test --locked

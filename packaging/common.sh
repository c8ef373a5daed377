# Shared by packaging/build.sh and packaging/check.sh (sourced from the repository's root).

# The one version, from Cargo.toml's [package].
VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
HOMEPAGE=${TIDINGS_HOMEPAGE:-$(sed -n 's/^repository = "\(.*\)"$/\1/p' Cargo.toml | head -1)}
MAINTAINER=${TIDINGS_MAINTAINER:-The Tidings developers <tidings-app@users.noreply.github.com>}
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH
# Where cargo puts what it builds (CARGO_TARGET_DIR moves it; CI may share one).
BUILD_DIR=${CARGO_TARGET_DIR:-target}

# Installs the Debian packages given that are missing (as root), or says which to install.
need_packages() {
    local missing=() p
    for p in "$@"; do
        [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing packages: ${missing[*]}; run: apt-get install ${missing[*]}" >&2
        exit 1
    fi
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Copies a template, filling in the version, release date and homepage.
fill() {
    mkdir -p "$(dirname "$2")"
    sed -e "s|@VERSION@|$VERSION|g" -e "s|@HOMEPAGE@|$HOMEPAGE|g" \
        -e "s|@DATE@|$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)|g" "$1" > "$2"
    chmod 644 "$2"
}

#!/usr/bin/env bash
# Validates what packaging/build.sh wrote into target/packages/: the desktop file, the AppStream
# metainfo, lintian on the .deb, an install/run/purge of the .deb in a clean Debian root, the
# .rpm's contents and requirements, the MSI's registry rows, and the macOS Info.plist. Installs
# the tools it needs when run as root on Debian or Ubuntu.
set -euo pipefail
cd "$(dirname "$0")/.."
source packaging/common.sh

need_packages desktop-file-utils appstream lintian mmdebstrap rpm msitools python3
out=target/packages
deb=$(ls "$out"/tidings_"$VERSION"_*.deb 2>/dev/null || true)
rpm=$(ls "$out"/tidings-"$VERSION"-*.rpm 2>/dev/null || true)
msi="$out/tidings-$VERSION-x64.msi"
if [ -z "$deb" ] || [ -z "$rpm" ] || [ ! -f "$msi" ]; then
    echo "no packages for $VERSION in $out; run: bash packaging/build.sh" >&2
    exit 1
fi
fail() { echo "packaging check failed: $*" >&2; exit 1; }

# desktop-file-validate exits 0 even when it prints hints: any output fails.
said=$(desktop-file-validate packaging/linux/org.tidings.Tidings.desktop 2>&1)
[ -z "$said" ] || fail "desktop-file-validate: $said"
echo "desktop file: valid"

appstreamcli validate --no-net "$out/stage/usr/share/metainfo/org.tidings.Tidings.metainfo.xml" ||
    fail "appstreamcli validate"

# Errors fail; warnings (no manual page yet) are shown.
lintian --fail-on error "$deb" 2>&1 | grep -v 'root privileges' || true
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "lintian reports errors on $deb"
echo "lintian: no errors"

# The clean root: Debian's own packages for this machine's release, then our .deb by apt.
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
root=$(mktemp -d /tmp/tidings-root-XXXXXX)
trap 'rm -rf "$root"' EXIT
mmdebstrap --quiet --variant=apt --include=desktop-file-utils --format=directory \
    --customize-hook="bash packaging/linux/install-test.sh \"\$1\" $deb $VERSION" \
    "$suite" "$root" \
    "deb http://deb.debian.org/debian $suite main" \
    "deb http://deb.debian.org/debian $suite-updates main" \
    "deb http://deb.debian.org/debian-security $suite-security main"

listed=$(rpm -qlp "$rpm" 2>/dev/null)
for f in /usr/bin/tidings /usr/share/applications/org.tidings.Tidings.desktop \
    /usr/share/metainfo/org.tidings.Tidings.metainfo.xml \
    /usr/share/icons/hicolor/scalable/apps/org.tidings.Tidings.svg; do
    grep -qx "$f" <<< "$listed" || fail "$rpm lacks $f"
done
grep -q libxkbcommon <<< "$(rpm -qp --requires "$rpm" 2>/dev/null)" || fail "$rpm does not require libxkbcommon"
echo "rpm: files and requirements present"

registry=$(msiinfo export "$msi" Registry)
for row in \
    $'Software\\\\Clients\\\\Mail\\\\Tidings\\\\Capabilities\\\\URLAssociations\tmailto\tTidings.mailto' \
    $'Software\\\\Clients\\\\Mail\\\\Tidings\\\\Capabilities\\\\FileAssociations\t.eml\tTidings.eml' \
    $'Software\\\\Clients\\\\Mail\\\\Tidings\\\\Capabilities\\\\StartMenu\tMail\tTidings' \
    $'Software\\\\RegisteredApplications\tTidings\tSoftware\\\\Clients\\\\Mail\\\\Tidings\\\\Capabilities' \
    $'Software\\\\Classes\\\\Tidings.mailto\tURL Protocol' \
    $'Software\\\\Classes\\\\Tidings.mailto\\\\shell\\\\open\\\\command\t\t"\\[INSTALLDIR\\]tidings.exe" "%1"' \
    $'Software\\\\Classes\\\\Tidings.eml\\\\shell\\\\open\\\\command\t\t"\\[INSTALLDIR\\]tidings.exe" "%1"'; do
    grep -q "$row" <<< "$registry" || fail "the MSI's Registry table lacks: $row"
done
# Each table is read whole before grep looks at it: with pipefail, grep -q leaving early
# would fail the pipeline by SIGPIPE whenever the writer had not finished.
grep -q "ProgramMenuFolder" <<< "$(msiinfo export "$msi" Shortcut)" || fail "no Start menu shortcut"
files=$(msiinfo export "$msi" File)
for name in tidings.exe tidings.com; do
    grep -q $'\t'"$name"$'\t' <<< "$files" || fail "the MSI does not install $name"
done
grep -qi "578b48ec-975c-414a-804e-8febf801efac" <<< "$(msiinfo export "$msi" Upgrade)" ||
    fail "no upgrade row"
grep -q $'^ALLUSERS\t1' <<< "$(msiinfo export "$msi" Property)" || fail "not a per-machine install"
echo "msi: tidings.exe and tidings.com, mail client registration, shortcut, upgrade and per-machine install present"

sed -e "s|@VERSION@|$VERSION|g" packaging/macos/Info.plist | python3 -c '
import plistlib, sys
p = plistlib.loads(sys.stdin.buffer.read())
version = sys.argv[1]
assert p["CFBundleIdentifier"] == "org.tidings.Tidings", p["CFBundleIdentifier"]
assert p["CFBundleShortVersionString"] == version and p["CFBundleExecutable"] == "tidings"
assert p["CFBundleIconFile"] == "tidings.icns" and p["LSMinimumSystemVersion"]
assert any("mailto" in t["CFBundleURLSchemes"] for t in p["CFBundleURLTypes"])
assert any("com.apple.mail.email" in d["LSItemContentTypes"] and d["CFBundleTypeRole"] == "Viewer"
           for d in p["CFBundleDocumentTypes"])
' "$VERSION" || fail "packaging/macos/Info.plist"
echo "macOS Info.plist: parses, with the bundle id, version, icon, mailto and .eml"
echo "packaging checks passed"

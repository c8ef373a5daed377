#!/usr/bin/env bash
# Builds the release binary once and writes the installable packages into target/packages/:
# the .deb and the .rpm (both from one staged file tree, so they hold the same files) and the
# MSI from the WiX source by wixl. On Linux the MSI wraps TIDINGS_WINDOWS_EXE and
# TIDINGS_WINDOWS_CONSOLE (tidings-console.exe, installed as tidings.com) when they are set
# (the Windows runner's tidings.exe); otherwise a stand-in file, since only its tables can be
# checked here. Installs the packaging tools it needs when run as root on Debian or Ubuntu.
#
# TIDINGS_HOMEPAGE (default: the repository in Cargo.toml) and TIDINGS_MAINTAINER fill the
# metadata; SOURCE_DATE_EPOCH (default: the last commit's time) dates the release.
set -euo pipefail
cd "$(dirname "$0")/.."
source packaging/common.sh

need_packages dpkg-dev rpm wixl msitools binutils
cargo build --release --locked
bin="$BUILD_DIR/release/tidings"
out=target/packages
rm -rf "$out"
mkdir -p "$out"

# The file tree every Linux package installs.
stage="$out/stage"
install -Dm755 "$bin" "$stage/usr/bin/tidings"
strip --strip-unneeded "$stage/usr/bin/tidings"
install -Dm644 packaging/linux/org.tidings.Tidings.desktop \
    "$stage/usr/share/applications/org.tidings.Tidings.desktop"
fill packaging/linux/org.tidings.Tidings.metainfo.xml \
    "$stage/usr/share/metainfo/org.tidings.Tidings.metainfo.xml"
for icon in resources/icons/hicolor/*/apps/org.tidings.Tidings.*; do
    install -Dm644 "$icon" "$stage/usr/share/icons/${icon#resources/icons/}"
done
install -d "$stage/usr/share/man/man1"
for page in packaging/linux/man/*.1; do
    gzip -9n < "$page" > "$stage/usr/share/man/man1/$(basename "$page").gz"
    chmod 644 "$stage/usr/share/man/man1/$(basename "$page").gz"
done
doc="$stage/usr/share/doc/tidings"
fill packaging/linux/copyright "$doc/copyright"
printf 'tidings (%s) unstable; urgency=medium\n\n  * Release %s.\n\n -- %s  %s\n' \
    "$VERSION" "$VERSION" "$MAINTAINER" "$(date -u -R -d "@$SOURCE_DATE_EPOCH")" |
    gzip -9n > "$doc/changelog.gz"
chmod 644 "$doc/changelog.gz"
find "$stage" -type d -exec chmod 755 {} +
find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

# .deb: dpkg-deb over the staged tree, with a control file written by hand, because the
# libraries iced and the keyring open at run time (dlopen) are invisible to dpkg-shlibdeps and
# cargo-deb alike, and one tree feeds the .rpm too.
deb_root="$out/deb-root"
cp -a "$stage" "$deb_root"
mkdir -p "$deb_root/DEBIAN"
arch=$(dpkg --print-architecture)
glibc=$(objdump -T "$bin" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
size=$(du -sk --exclude=DEBIAN "$deb_root" | cut -f1)
sed -e "s|@VERSION@|$VERSION|" -e "s|@ARCH@|$arch|" -e "s|@MAINTAINER@|$MAINTAINER|" \
    -e "s|@SIZE@|$size|" -e "s|@HOMEPAGE@|$HOMEPAGE|" -e "s|@LIBC@|libc6 (>= $glibc), libgcc-s1|" \
    packaging/linux/control.in > "$deb_root/DEBIAN/control"
deb="$out/tidings_${VERSION}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$deb_root" "$deb" >/dev/null
rm -rf "$deb_root"
echo "wrote $deb"

# .rpm: rpmbuild copies the same tree in (already stripped, its man pages already compressed).
rpm_top="$(pwd)/$out/rpmbuild"
rpmbuild -bb --quiet \
    --define "_topdir $rpm_top" \
    --define "tidings_version $VERSION" \
    --define "tidings_homepage $HOMEPAGE" \
    --define "tidings_stage $(pwd)/$stage" \
    --define "__strip /bin/true" \
    --define "__brp_compress /bin/true" \
    --define "debug_package %{nil}" \
    --define "source_date_epoch_from_changelog 0" \
    packaging/linux/tidings.spec
mv "$rpm_top"/RPMS/*/tidings-*.rpm "$out/"
rm -rf "$rpm_top"
echo "wrote $(ls "$out"/tidings-*.rpm)"

# MSI: the same .wxs the Windows runner builds with WiX 3, around stand-ins for tidings.exe
# and tidings.com unless TIDINGS_WINDOWS_EXE and TIDINGS_WINDOWS_CONSOLE name the real ones.
exe="${TIDINGS_WINDOWS_EXE:-}"
console="${TIDINGS_WINDOWS_CONSOLE:-}"
if [ -z "$exe" ] || [ -z "$console" ]; then
    exe="$out/tidings.exe"
    console="$out/tidings-console.exe"
    printf 'stand-in for tidings.exe: the Windows binary is built on a Windows runner\n' > "$exe"
    printf 'stand-in for tidings.com: the Windows binary is built on a Windows runner\n' > "$console"
fi
msi="$out/tidings-${VERSION}-x64.msi"
wixl -a x64 -D Version="$VERSION" -D Exe="$exe" -D Console="$console" \
    -D Icon=resources/icons/tidings.ico -o "$msi" packaging/windows/tidings.wxs
echo "wrote $msi"

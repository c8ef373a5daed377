#!/usr/bin/env bash
# Builds tidings.exe (GUI subsystem, icon and version resource from build.rs) and its console
# twin, then the MSI with WiX 3's candle and light from packaging/windows/tidings.wxs, into
# target/packages/. Windows only (the release workflow's Git Bash); WiX 3 is found through the
# WIX variable its installer sets, and installed with Chocolatey when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
source packaging/common.sh

cargo build --release --locked --bins --features windows-console
if [ -z "${WIX:-}" ]; then
    choco install wixtoolset --version=3.14.1 --no-progress -y
    WIX="C:\\Program Files (x86)\\WiX Toolset v3.14\\"
fi
wix_bin="$(cygpath -u "$WIX")/bin"

out=target/packages
mkdir -p "$out"
cp "$BUILD_DIR/release/tidings-console.exe" "$out/tidings.com"
msi="$out/tidings-${VERSION}-x64.msi"
"$wix_bin/candle.exe" -nologo -arch x64 -dVersion="$VERSION" -dExe="$BUILD_DIR/release/tidings.exe" \
    -dConsole="$out/tidings.com" -dIcon=resources/icons/tidings.ico \
    -out target/tidings.wixobj packaging/windows/tidings.wxs
"$wix_bin/light.exe" -nologo -out "$msi" target/tidings.wixobj
echo "wrote $msi"

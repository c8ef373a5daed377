#!/usr/bin/env bash
# Builds Tidings.app (one universal binary for Intel and Apple silicon, joined with lipo) and a
# compressed Tidings-VERSION.dmg with an Applications link, into target/packages/. macOS only:
# it needs lipo and hdiutil. The .app is unsigned; signing and notarising need the project's
# Apple certificate, which lives only in the release runner's secrets.
set -euo pipefail
cd "$(dirname "$0")/../.."
source packaging/common.sh

export MACOSX_DEPLOYMENT_TARGET=11.0
targets=(x86_64-apple-darwin aarch64-apple-darwin)
rustup target add "${targets[@]}"
for target in "${targets[@]}"; do
    cargo build --release --locked --target "$target"
done

out=target/packages
app="$out/macos/Tidings.app"
rm -rf "$out/macos"
mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources"
lipo -create -output "$app/Contents/MacOS/tidings" \
    "$BUILD_DIR/x86_64-apple-darwin/release/tidings" "$BUILD_DIR/aarch64-apple-darwin/release/tidings"
sed -e "s|@VERSION@|$VERSION|g" packaging/macos/Info.plist > "$app/Contents/Info.plist"
plutil -lint "$app/Contents/Info.plist"
cp resources/icons/tidings.icns "$app/Contents/Resources/tidings.icns"
ln -s /Applications "$out/macos/Applications"

dmg="$out/Tidings-$VERSION.dmg"
hdiutil create "$dmg" -volname "Tidings" -fs HFS+ -srcfolder "$out/macos" -ov -format UDZO
echo "wrote $dmg"

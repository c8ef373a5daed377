#!/usr/bin/env bash
# Wraps the tree packaging/build.sh staged (target/packages/stage) into an AppImage with
# appimagetool (APPIMAGETOOL names it; the release workflow downloads it). The libraries iced
# and the keyring open at run time are the desktop's own, as for the .deb; the AppImage carries
# only the program, its desktop file, metainfo and icons.
set -euo pipefail
cd "$(dirname "$0")/../.."
source packaging/common.sh

stage=target/packages/stage
[ -x "$stage/usr/bin/tidings" ] || { echo "run packaging/build.sh first" >&2; exit 1; }
tool=${APPIMAGETOOL:?set APPIMAGETOOL to the appimagetool program}
app=target/packages/AppDir
rm -rf "$app"
cp -a "$stage" "$app"
# appimagetool wants the desktop file and icon at the top, and an AppRun to start.
cp "$app/usr/share/applications/org.tidings.Tidings.desktop" "$app/"
cp resources/icons/hicolor/256x256/apps/org.tidings.Tidings.png "$app/org.tidings.Tidings.png"
ln -s usr/bin/tidings "$app/AppRun"
out="target/packages/Tidings-${VERSION}-$(uname -m).AppImage"
# The metainfo is validated by packaging/check.sh already, with the pinned appstream.
ARCH=$(uname -m) "$tool" --no-appstream "$app" "$out"
rm -rf "$app"
echo "wrote $out"

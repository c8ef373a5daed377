#!/usr/bin/env bash
# Renders the app icon's SVG source into every size and format the systems ask for. The
# results are committed, so building a package needs none of these tools; run this again
# after changing resources/icons/org.tidings.Tidings.svg.
# Needs: apt-get install librsvg2-bin icoutils icnsutils
set -euo pipefail
cd "$(dirname "$0")/.."
src=resources/icons/org.tidings.Tidings.svg
out=resources/icons
for tool in rsvg-convert icotool png2icns; do
    command -v "$tool" >/dev/null || { echo "$tool is missing; run: apt-get install librsvg2-bin icoutils icnsutils" >&2; exit 1; }
done
for size in 16 24 32 48 64 128 256 512; do
    dir="$out/hicolor/${size}x${size}/apps"
    mkdir -p "$dir"
    rsvg-convert -w "$size" -h "$size" "$src" -o "$dir/org.tidings.Tidings.png"
done
mkdir -p "$out/hicolor/scalable/apps"
cp "$src" "$out/hicolor/scalable/apps/org.tidings.Tidings.svg"
png() { echo "$out/hicolor/$1x$1/apps/org.tidings.Tidings.png"; }
icotool -c -o "$out/tidings.ico" "$(png 16)" "$(png 24)" "$(png 32)" "$(png 48)" "$(png 64)" "$(png 128)" -r "$(png 256)"
png2icns "$out/tidings.icns" "$(png 16)" "$(png 32)" "$(png 128)" "$(png 256)" "$(png 512)" >/dev/null
echo "icons written under $out"

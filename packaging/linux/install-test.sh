#!/usr/bin/env bash
# Run by check.sh as an mmdebstrap customize hook: installs the .deb into the clean Debian
# root "$1" with apt (which fetches its Depends from Debian), runs it there, checks that the
# desktop database maps mailto: links and .eml files to Tidings, then purges it and checks
# that nothing it installed is left.
set -euo pipefail
root=$1
deb=$2
version=$3
cp "$deb" "$root/tmp/tidings.deb"
chroot "$root" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends /tmp/tidings.deb >/dev/null
got=$(chroot "$root" tidings --version)
[ "$got" = "tidings $version" ] || { echo "tidings --version in the clean root printed: $got" >&2; exit 1; }
cache="$root/usr/share/applications/mimeinfo.cache"
for type in x-scheme-handler/mailto message/rfc822; do
    grep -q "^$type=.*org.tidings.Tidings.desktop" "$cache" ||
        { echo "the desktop database does not map $type to Tidings:" >&2; cat "$cache" >&2; exit 1; }
done
files=$(chroot "$root" dpkg-query -L tidings)
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q tidings >/dev/null
left=""
while IFS= read -r path; do
    # Shared directories (/usr/share/icons/...) stay; anything of ours must go.
    if [ -e "$root$path" ] && [ ! -d "$root$path" ]; then left="$left $path"; fi
done <<< "$files"
[ -d "$root/usr/share/doc/tidings" ] && left="$left /usr/share/doc/tidings"
[ -z "$left" ] || { echo "purging left behind:$left" >&2; exit 1; }
if grep -q "org.tidings.Tidings" "$cache"; then
    echo "the desktop database still names Tidings after the purge" >&2; exit 1
fi
rm -f "$root/tmp/tidings.deb"
echo "install test: installed, ran 'tidings --version', mailto and .eml mapped, purged clean"

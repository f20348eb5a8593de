#!/usr/bin/env bash
# build.sh OUTDIR - the Linux guest: Debian's stock kernel and a busybox
# initramfs. Fetches the packages with apt-get download (nothing downloaded
# is committed) and leaves OUTDIR/bzImage, OUTDIR/initramfs.cpio.gz.
#   linux-image-amd64 is a metapackage: the kernel is its linux-image-*
#   dependency. busybox-static's one binary provides every command.
set -euo pipefail
out=$(mkdir -p "$1" && cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
dl="$out/deb"
mkdir -p "$dl"

# The virtio disk's modules, for the DMA tests (Debian builds them as
# modules): loaded by init only when the command line says virtio_disk.
modules="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk"

if [ ! -s "$out/bzImage" ] || [ ! -d "$out/modules" ]; then
    kpkg=$(apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n1)
    [ -n "$kpkg" ] || { echo "linux: apt-cache knows no linux-image-amd64 (run apt-get update)" >&2; exit 1; }
    (cd "$dl" && rm -f linux-image-*.deb && apt-get download -q "$kpkg" 2>&1 | grep -v "unsandboxed" || true)
    rm -rf "$dl/k" && dpkg-deb -x "$dl"/linux-image-*.deb "$dl/k"
    rm -rf "$out/modules" && mkdir -p "$out/modules.tmp"
    for m in $modules; do
        f=$(find "$dl"/k/lib/modules -name "$m.ko" | head -n1)
        [ -n "$f" ] || { echo "linux: $kpkg has no $m.ko" >&2; exit 1; }
        cp "$f" "$out/modules.tmp/"
    done
    mv "$out/modules.tmp" "$out/modules"
    cp "$dl"/k/boot/vmlinuz-* "$out/bzImage.tmp"
    echo "$kpkg" > "$out/kernel-package"
    rm -rf "$dl/k" "$dl"/linux-image-*.deb
    mv "$out/bzImage.tmp" "$out/bzImage"
    echo "  LINUX $out/bzImage ($kpkg)"
fi

stale=
for f in init inittab profile rdtsc.c tick.c build.sh; do
    [ "$here/$f" -nt "$out/initramfs.cpio.gz" ] && stale=1
done
if [ ! -s "$out/initramfs.cpio.gz" ] || [ -n "$stale" ]; then
    if [ ! -s "$dl/busybox" ]; then
        (cd "$dl" && rm -f busybox-static*.deb && apt-get download -q busybox-static 2>&1 | grep -v "unsandboxed" || true)
        rm -rf "$dl/bb" && dpkg-deb -x "$dl"/busybox-static*.deb "$dl/bb"
        cp "$dl/bb/bin/busybox" "$dl/busybox"
        rm -rf "$dl/bb" "$dl"/busybox-static*.deb
    fi
    root="$out/root"
    rm -rf "$root"
    mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,root,usr/bin,usr/sbin}
    cp "$dl/busybox" "$root/bin/busybox"
    ln -s busybox "$root/bin/sh"
    install -m 0755 "$here/init" "$root/init"
    install -m 0644 "$here/inittab" "$root/etc/inittab"
    install -m 0644 "$here/profile" "$root/etc/profile"
    mkdir -p "$root/lib/modules"
    for m in $modules; do cp "$out/modules/$m.ko" "$root/lib/modules/"; done
    gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static -nostdlib -fno-pie -no-pie \
        -fno-stack-protector -o "$root/bin/rdtsc" "$here/rdtsc.c"
    gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static -nostdlib -fno-pie -no-pie \
        -fno-stack-protector -o "$root/bin/tick" "$here/tick.c"
    # No device nodes needed: /dev/console, which init's stdio opens, comes
    # from the kernel's built-in initramfs (usr/default_cpio_list), which
    # this archive is unpacked over; init mounts devtmpfs for the rest.
    (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$out/initramfs.cpio"
    gzip -9n < "$out/initramfs.cpio" > "$out/initramfs.cpio.gz"
    rm -f "$out/initramfs.cpio"
    echo "  INITRAMFS $out/initramfs.cpio.gz"
fi

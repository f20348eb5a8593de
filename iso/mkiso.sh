#!/usr/bin/env bash
# mkiso.sh ISO ELF [GUEST [INITRD]]   (HV_ARGS and GUEST_ARGS from the environment)
# Builds a GRUB (Multiboot2) rescue ISO, bootable by legacy BIOS and by
# UEFI (x86-64), that boots monovisor with GUEST as
# its first module (the guest kernel) and INITRD as the second; GUEST=none
# leaves the guest out. NATIVE=1 boots GUEST (and INITRD) itself with GRUB
# instead: multiboot, multiboot2 or linux by the image's format (the same
# guest without monovisor, for comparisons).
# HV_ARGS become the hypervisor's command line, GUEST_ARGS the guest's.
# The staging tree is ISO.d beside the ISO, so several ISOs build at once.
set -euo pipefail
iso=$1 elf=$2 guest=${3:-} initrd=${4:-} hv_args=${HV_ARGS:-} guest_args=${GUEST_ARGS:-}
here=$(cd "$(dirname "$0")" && pwd)

# One image for both firmwares: grub-mkrescue makes a hybrid image (El
# Torito for BIOS, an EFI system partition for UEFI) from every GRUB
# platform installed; both must be.
for platform in i386-pc x86_64-efi; do
    [ -d "/usr/lib/grub/$platform" ] || {
        echo "mkiso: GRUB for $platform is missing (Debian: grub-pc-bin, grub-efi-amd64-bin;" \
             "scripts/install-deps.sh installs both)" >&2
        exit 1
    }
done

stage="$iso.d"
rm -rf "$stage"
mkdir -p "$stage/boot/grub"
cp "$elf" "$stage/boot/monovisor.elf"

# GRUB's lexer treats \ " ' $ and ; specially; escape every one so the
# command line reaches monovisor byte for byte.
grub_escape() { printf '%s' "$1" | sed -e 's/[\\"'"'"'$;{}|&<>]/\\&/g'; }

if [ "${NATIVE:-}" = 1 ]; then
    [ -f "$guest" ] || { echo "mkiso: NATIVE=1 needs a GUEST file" >&2; exit 1; }
    cp "$guest" "$stage/boot/guest"
    # The format decides GRUB's command, as it decides monovisor's loader:
    # "HdrS" at 0x202 is a bzImage (Linux boot protocol), the Multiboot2
    # magic 8-aligned in the first 32 KiB a Multiboot2 kernel.
    if [ "$(dd if="$guest" bs=1 skip=514 count=4 2>/dev/null | tr -d '\000')" = HdrS ]; then
        kcmd=linux mcmd=initrd
    elif od -A d -t x4 -w8 -N 32768 "$guest" | grep -q '^[0-9]* e85250d6'; then
        kcmd=multiboot2 mcmd=module2
    else
        kcmd=multiboot mcmd=module
    fi
    {
        sed -e '/menuentry/,$d' "$here/grub.cfg.in"
        echo 'menuentry "guest (native)" {'
        echo "    $kcmd /boot/guest $(grub_escape "$guest_args")"
        if [ -n "$initrd" ]; then
            cp "$initrd" "$stage/boot/initrd"
            echo "    $mcmd /boot/initrd"
        fi
        echo "    boot"
        echo "}"
    } > "$stage/boot/grub/grub.cfg"
    grub-mkrescue --quiet -o "$iso" "$stage" 2> "$iso.log" || { cat "$iso.log" >&2; exit 1; }
    echo "mkiso: $iso (native)"
    exit 0
fi

{
    sed -e "s|@HV_ARGS@|$(grub_escape "$hv_args" | sed 's/[|&]/\\&/g')|" "$here/grub.cfg.in"
    if [ -n "$guest" ] && [ "$guest" != none ]; then
        [ -f "$guest" ] || { echo "mkiso: GUEST '$guest' is not a file" >&2; exit 1; }
        cp "$guest" "$stage/boot/guest"
        echo "    module2 /boot/guest $(grub_escape "$guest_args")"
        if [ -n "$initrd" ]; then
            [ -f "$initrd" ] || { echo "mkiso: INITRD '$initrd' is not a file" >&2; exit 1; }
            cp "$initrd" "$stage/boot/initrd"
            echo "    module2 /boot/initrd initrd"
        fi
    elif [ -n "$initrd" ]; then
        echo "mkiso: INITRD given without GUEST" >&2
        exit 1
    fi
    echo "    boot"
    echo "}"
} > "$stage/boot/grub/grub.cfg"

grub-mkrescue --quiet -o "$iso" "$stage" 2> "$iso.log" || { cat "$iso.log" >&2; exit 1; }
echo "mkiso: $iso"

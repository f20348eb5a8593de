#!/usr/bin/env bash
# mkiso.sh ISO ELF [GUEST [INITRD]]   (HV_ARGS and GUEST_ARGS from the environment)
# Builds a GRUB (Multiboot2) rescue ISO that boots monovisor with GUEST as
# its first module (the guest kernel) and INITRD as the second.
# HV_ARGS become the hypervisor's command line, GUEST_ARGS the guest's.
# The staging tree is ISO.d beside the ISO, so several ISOs build at once.
set -euo pipefail
iso=$1 elf=$2 guest=${3:-} initrd=${4:-} hv_args=${HV_ARGS:-} guest_args=${GUEST_ARGS:-}
here=$(cd "$(dirname "$0")" && pwd)

stage="$iso.d"
rm -rf "$stage"
mkdir -p "$stage/boot/grub"
cp "$elf" "$stage/boot/monovisor.elf"

# GRUB's lexer treats \ " ' $ and ; specially; escape every one so the
# command line reaches monovisor byte for byte.
grub_escape() { printf '%s' "$1" | sed -e 's/[\\"'"'"'$;{}|&<>]/\\&/g'; }

{
    sed -e "s|@HV_ARGS@|$(grub_escape "$hv_args" | sed 's/[|&]/\\&/g')|" "$here/grub.cfg.in"
    if [ -n "$guest" ]; then
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

#!/usr/bin/env bash
# mkiso.sh ISO ELF [GUEST [INITRD]]   (HV_ARGS and GUEST_ARGS from the environment)
# Builds a GRUB (Multiboot2) rescue ISO that boots monovisor with GUEST as
# its first module (the guest kernel) and INITRD as the second; GUEST=none
# leaves the guest out. NATIVE=1 boots GUEST itself with GRUB's multiboot
# command instead (the same guest without monovisor, for comparisons).
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

if [ "${NATIVE:-}" = 1 ]; then
    [ -f "$guest" ] || { echo "mkiso: NATIVE=1 needs a GUEST file" >&2; exit 1; }
    cp "$guest" "$stage/boot/guest"
    sed -e '/menuentry/,$d' "$here/grub.cfg.in" > "$stage/boot/grub/grub.cfg"
    printf 'menuentry "guest (native)" {\n    multiboot /boot/guest %s\n    boot\n}\n' \
        "$(grub_escape "$guest_args")" >> "$stage/boot/grub/grub.cfg"
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

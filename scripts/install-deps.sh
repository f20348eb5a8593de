#!/usr/bin/env bash
# install-deps.sh - install the Debian packages monovisor's build, run and
# tests need, only when something is missing. Uses sudo when not root.
set -euo pipefail

packages=(
    gcc make binutils nasm            # build
    grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools   # ISO (grub-mkrescue: BIOS and UEFI)
    ovmf                              # UEFI firmware for QEMU (make run FIRMWARE=uefi, the UEFI tests)
    qemu-system-x86                   # no-VMX path, and KVM runs
    bochs bochsbios vgabios           # VMX + EPT + SMP emulation (rfb display built in)
    python3 python3-pexpect python3-pytest python3-pytest-timeout python3-pytest-xdist
    libcmocka-dev lcov                # host unit tests and coverage
    socat                             # make run: terminal <-> Bochs serial socket
    cpio                              # the Linux guest's initramfs
    gnuplot-nox                       # make bench: the plot
    clang libclang-rt-14-dev          # make fuzz: libFuzzer with ASan/UBSan
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"

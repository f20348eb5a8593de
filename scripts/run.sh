#!/usr/bin/env bash
# run.sh ISO - boot the ISO with monovisor's console on this terminal.
#
# Which machine, in this order (the first line printed says which, and why):
#  1. QEMU with KVM (-cpu host) when this host runs guests that can use
#     VT-x or AMD-V themselves (bare metal with /dev/kvm, or a VM host with
#     nested virtualization on);
#  2. QEMU's TCG emulating an AMD EPYC with SVM and nested paging: no KVM
#     needed, multi-threaded, monovisor runs its SVM backend;
#  3. Bochs, which emulates VT-x with EPT (or AMD-V: BACKEND=svm), when QEMU
#     is not installed.
# The serial console is bridged to the terminal by socat: `quit` at the
# monovisor> prompt powers off, Ctrl-] leaves at once.
#
# GDB=1: the guest's debugger. COM2 is a TCP server on 127.0.0.1:GDB_PORT
# (default 1234) and the ISO was built with gdb=com2 gdb_wait=1 (make run
# GDB=1 does both): the guest waits at its first instruction until GDB
# connects and continues; the line to type is printed.
#
# FIRMWARE=uefi boots the same ISO through OVMF (QEMU only: Bochs has no
# UEFI firmware in Debian); the default is the legacy BIOS.
#
# Environment: CPUS (default 2), MEM_MIB (default 512), EMULATOR=qemu|bochs
# and BACKEND=vmx|svm (override the choice), BOCHS_CPU (Bochs's VMX model,
# default tigerlake; BACKEND=svm uses ryzen), BOCHS_IGNORE_BAD_MSRS=1
# (unknown MSRs read as 0 instead of #GP; make run GUEST=linux sets both).
set -euo pipefail
iso=${1:?usage: run.sh ISO}
cpus=${CPUS:-2}
mem=${MEM_MIB:-512}
here=$(cd "$(dirname "$0")/.." && pwd)
rundir="$here/build/run"
mkdir -p "$rundir"

# kvm_offers vmx|svm: KVM here runs guests that use that extension.
kvm_offers() {
    [ -w /dev/kvm ] || return 1
    grep -qw "$1" /proc/cpuinfo || return 1
    local module=kvm_intel
    [ "$1" = svm ] && module=kvm_amd
    local nested=/sys/module/$module/parameters/nested
    # On a VM host the KVM module must offer nested virtualization.
    [ ! -e "$nested" ] || grep -qE '^(Y|1)$' "$nested"
}

emulator=${EMULATOR:-}
backend=${BACKEND:-}
firmware=${FIRMWARE:-bios}
case "$firmware" in bios|uefi) ;; *) echo "run: FIRMWARE must be bios or uefi" >&2; exit 1 ;; esac
OVMF=/usr/share/ovmf/OVMF.fd
if [ "$firmware" = uefi ]; then
    [ "$emulator" != bochs ] || { echo "run: FIRMWARE=uefi needs QEMU (Bochs has no UEFI firmware)" >&2; exit 1; }
    [ -r "$OVMF" ] || { echo "run: FIRMWARE=uefi needs $OVMF (Debian's ovmf package)" >&2; exit 1; }
    emulator=qemu
fi
case "$backend" in ""|vmx|svm) ;; *) echo "run: BACKEND must be vmx or svm" >&2; exit 1 ;; esac
case "$emulator" in ""|qemu|bochs) ;; *) echo "run: EMULATOR must be qemu or bochs" >&2; exit 1 ;; esac
accel=tcg
why=""
for b in ${backend:-vmx svm}; do
    if [ "$emulator" != bochs ] && kvm_offers "$b"; then
        emulator=qemu accel=kvm backend=$b
        why="this host runs ${b^^} guests under KVM"
        break
    fi
done
if [ "$accel" != kvm ]; then
    if [ -z "$emulator" ]; then
        if [ "$backend" != vmx ] && command -v qemu-system-x86_64 >/dev/null; then
            emulator=qemu
        else
            emulator=bochs
        fi
    fi
    if [ "$emulator" = qemu ]; then
        if [ "$backend" = vmx ]; then
            echo "run: QEMU emulates VT-x only with KVM and nested VMX, which this host lacks;" \
                 "use EMULATOR=bochs or BACKEND=svm" >&2
            exit 1
        fi
        backend=svm
        why="no KVM with nested virtualization here: QEMU's TCG emulates AMD-V with nested paging"
    else
        backend=${backend:-vmx}
        why="Bochs chosen (EMULATOR=bochs, BACKEND=$backend, or no QEMU)"
    fi
fi

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
gdb_port=${GDB_PORT:-1234}
gdb_qemu=()
gdb_bochs=()
if [ "${GDB:-0}" = 1 ]; then
    gdb_qemu=(-serial "tcp:127.0.0.1:$gdb_port,server=on,wait=off")
    gdb_bochs=(--gdb "$gdb_port")
    elf=${GUEST_ELF:-build/guest/demo.elf}
    echo "run: GDB stub on COM2 = 127.0.0.1:$gdb_port; in another terminal:"
    echo "     gdb $elf -ex 'target remote localhost:$gdb_port'"
    [ "$emulator" = bochs ] && echo "run: (Bochs starts once GDB has connected to that port)"
fi

case "$emulator" in
qemu)
    if [ "$accel" = kvm ]; then
        cpu_args=(-enable-kvm -cpu host)
        echo "run: QEMU with KVM (-cpu host, $backend backend): $why; $cpus CPUs, $mem MiB"
    else
        cpu_args=(-accel tcg,thread=multi -cpu EPYC,+svm,+npt)
        echo "run: QEMU TCG (-cpu EPYC,+svm,+npt, svm backend): $why; $cpus CPUs, $mem MiB"
    fi
    fw_args=()
    if [ "$firmware" = uefi ]; then
        fw_args=(-bios "$OVMF")
        echo "run: firmware UEFI (OVMF)"
    fi
    qemu-system-x86_64 "${cpu_args[@]}" "${fw_args[@]}" -smp "$cpus" -m "$mem" -cdrom "$iso" \
        -display none -monitor none -no-reboot \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -serial "tcp:127.0.0.1:$port,server=on,wait=on" "${gdb_qemu[@]}" > "$rundir/qemu.log" 2>&1 &
    emu_out=$rundir/qemu.log
    ;;
bochs)
    model=${BOCHS_CPU:-tigerlake}
    [ "$backend" = svm ] && model=ryzen
    echo "run: Bochs (model $model, $backend backend): $why; $cpus CPUs, $mem MiB"
    bad_msrs=()
    [ "${BOCHS_IGNORE_BAD_MSRS:-0}" = 1 ] && bad_msrs=(--ignore-bad-msrs)
    /usr/bin/python3 "$here/scripts/bochsrc.py" --iso "$iso" --serial "$port" --megs "$mem" \
        --cpus "$cpus" --model "$model" --log "$rundir/bochs.log" "${bad_msrs[@]}" "${gdb_bochs[@]}" \
        > "$rundir/bochsrc"
    echo c > "$rundir/bochs.cont"
    bochs -q -f "$rundir/bochsrc" -rc "$rundir/bochs.cont" < /dev/null > "$rundir/bochs.out" 2>&1 &
    emu_out=$rundir/bochs.out
    ;;
esac
emu_pid=$!
trap 'kill $emu_pid 2>/dev/null || true' EXIT INT TERM HUP

# Wait until the serial port listens; a test connection would use up the
# emulator's one client slot, so look at the socket table instead.
listening() {
    local hex
    hex=$(printf '%04X' "$port")
    grep -q ":$hex 00000000:0000 0A" /proc/net/tcp
}
for _ in $(seq 300); do
    listening && break
    kill -0 $emu_pid 2>/dev/null || {
        echo "run: $emulator exited: $(grep -v '^[[:space:]]*$' "$emu_out" | tail -n 1); see $rundir" >&2
        exit 1
    }
    sleep 0.1
done
echo "run: console on this terminal; 'quit' powers off, Ctrl-] leaves"
if [ -t 0 ]; then
    socat -,raw,echo=0,escape=0x1d "TCP:127.0.0.1:$port" || true
else
    socat - "TCP:127.0.0.1:$port" || true
fi
wait $emu_pid 2>/dev/null || true

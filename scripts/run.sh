#!/usr/bin/env bash
# run.sh ISO - boot the ISO with monovisor's console on this terminal.
#
# QEMU with KVM when this host can run VMX guests (Intel VT-x with nested
# VMX, or bare metal where /dev/kvm exists); otherwise Bochs, which emulates
# VMX, EPT and SMP. The serial console is bridged to the terminal by socat:
# `quit` at the monovisor> prompt powers off, Ctrl-] leaves at once.
#
# Environment: CPUS (default 2), MEM_MIB (default 512), EMULATOR=bochs|qemu,
# BOCHS_CPU (Bochs CPU model, default tigerlake), BOCHS_IGNORE_BAD_MSRS=1
# (unknown MSRs read as 0 instead of #GP; make run GUEST=linux sets both).
set -euo pipefail
iso=${1:?usage: run.sh ISO}
cpus=${CPUS:-2}
mem=${MEM_MIB:-512}
here=$(cd "$(dirname "$0")/.." && pwd)
rundir="$here/build/run"
mkdir -p "$rundir"

can_kvm_vmx() {
    [ -w /dev/kvm ] || return 1
    grep -qw vmx /proc/cpuinfo || return 1
    local nested=/sys/module/kvm_intel/parameters/nested
    # On a VM host kvm_intel must offer nested VMX to our guest.
    [ ! -e "$nested" ] || grep -qE '^(Y|1)$' "$nested"
}

emulator=${EMULATOR:-}
if [ -z "$emulator" ]; then
    if can_kvm_vmx; then emulator=qemu; else emulator=bochs; fi
fi

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

case "$emulator" in
qemu)
    echo "run: QEMU with KVM (-cpu host), $cpus CPUs, $mem MiB"
    qemu-system-x86_64 -enable-kvm -cpu host -smp "$cpus" -m "$mem" -cdrom "$iso" \
        -display none -monitor none -no-reboot \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -serial "tcp:127.0.0.1:$port,server=on,wait=on" > "$rundir/qemu.log" 2>&1 &
    emu_out=$rundir/qemu.log
    ;;
bochs)
    echo "run: Bochs (this host cannot run VMX guests under KVM), $cpus CPUs, $mem MiB, model ${BOCHS_CPU:-tigerlake}"
    bad_msrs=()
    [ "${BOCHS_IGNORE_BAD_MSRS:-0}" = 1 ] && bad_msrs=(--ignore-bad-msrs)
    /usr/bin/python3 "$here/scripts/bochsrc.py" --iso "$iso" --serial "$port" --megs "$mem" \
        --cpus "$cpus" --model "${BOCHS_CPU:-tigerlake}" --log "$rundir/bochs.log" "${bad_msrs[@]}" \
        > "$rundir/bochsrc"
    echo c > "$rundir/bochs.cont"
    bochs -q -f "$rundir/bochsrc" -rc "$rundir/bochs.cont" < /dev/null > "$rundir/bochs.out" 2>&1 &
    emu_out=$rundir/bochs.out
    ;;
*)
    echo "run: EMULATOR must be bochs or qemu" >&2
    exit 1
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

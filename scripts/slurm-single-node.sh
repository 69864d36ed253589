#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for tests/cluster.rs and for trying
# `olke cluster slurm` by hand. Runs as root; needs Debian's slurm-wlm and munge
# (scripts/install-deps.sh --test installs them).
#
#   scripts/slurm-single-node.sh start DIR   # munged, slurmctld, slurmd; waits for the node
#   export SLURM_CONF=DIR/slurm.conf         # then sbatch, squeue, sinfo talk to it
#   scripts/slurm-single-node.sh stop DIR    # stops the three daemons it started
#
# Everything it writes (configuration, key, sockets, state, logs, pid files) is under
# DIR, so it touches no system configuration and several can exist side by side; the
# ports are OLKE_SLURMCTLD_PORT and OLKE_SLURMD_PORT (default 16817 and 16818). The node
# is declared with this machine's real CPUs and memory (`slurmd -C`).
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
dir=$(realpath -m "$2")

stop() {
    # The daemons this script started, by the pid files it asked them to write.
    for daemon in slurmd slurmctld munged; do
        local pidfile="$dir/$daemon.pid"
        [ -f "$pidfile" ] || continue
        local pid
        pid=$(cat "$pidfile")
        if kill "$pid" 2>/dev/null; then
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null || true
        fi
        rm -f "$pidfile"
    done
}

start() {
    for tool in munged slurmctld slurmd sinfo; do
        command -v "$tool" >/dev/null || { echo "$tool not found: run scripts/install-deps.sh --test" >&2; exit 1; }
    done
    mkdir -p "$dir"/{state,spool,munge,log}
    chmod 700 "$dir/munge"
    local host node
    host=$(hostname -s)
    # `slurmd -C` prints the node line with this machine's CPUs and memory.
    node=$(slurmd -C | head -n 1)
    [[ $node == NodeName=* ]] || { echo "slurmd -C did not describe this node: $node" >&2; exit 1; }
    node=$(sed "s/^NodeName=[^ ]*/NodeName=$host/" <<<"$node")

    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    chmod 400 "$dir/munge/munge.key"
    munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
        --pid-file="$dir/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/seed"

    : >"$dir/plugstack.conf"
    cat >"$dir/slurm.conf" <<CONF
ClusterName=olketest
SlurmctldHost=$host
SlurmctldPort=${OLKE_SLURMCTLD_PORT:-16817}
SlurmdPort=${OLKE_SLURMD_PORT:-16818}
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
PlugStackConfig=$dir/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
$node State=UNKNOWN
PartitionName=olke Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
    export SLURM_CONF="$dir/slurm.conf"
    slurmctld -c -f "$SLURM_CONF"
    slurmd -f "$SLURM_CONF"
    # The node is usable once it reports idle (or mixed/allocated, if work came first).
    for _ in $(seq 60); do
        if sinfo -h -N -o '%T' 2>/dev/null | grep -Eq '^(idle|mixed|allocated)'; then
            echo "SLURM_CONF=$SLURM_CONF"
            return 0
        fi
        sleep 0.5
    done
    echo "the Slurm node did not come up within 30 s; logs in $dir/log:" >&2
    tail -n 20 "$dir"/log/*.log >&2 || true
    stop
    exit 1
}

case $action in
    start) start ;;
    stop) stop ;;
    *) usage ;;
esac

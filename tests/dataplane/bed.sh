#!/bin/sh
# tests/dataplane/bed.sh: a two-gateway IPsec test bed with real charons in network namespaces.
#
#   bed.sh probe                 exit 0 if this machine can create network namespaces
#   bed.sh up DIR [OWNER_PID]    build the bed in DIR (an empty directory); torn down by a guard
#                                when OWNER_PID exits (default: the caller's parent)
#   bed.sh down DIR              stop the charons, delete the namespaces (idempotent)
#   bed.sh start DIR SIDE        start the charon of SIDE (cloud | peer | cloud2); waits for its
#                                socket
#   bed.sh kill DIR SIDE [SIG]   signal the charon of SIDE (default TERM) and wait for its exit
#   bed.sh exec DIR SIDE CMD...  run CMD in SIDE's namespace
#   bed.sh swanctl DIR SIDE ARG...  swanctl against SIDE's charon
#
# Layout. Two namespaces "<tag>-cloud" and "<tag>-peer" (tag unique per bed), joined by one veth
# pair: cloud 198.18.1.1/24 (+ 198.18.1.254, a second EIP), peer 198.18.1.2-41/24 (one address
# per customer gateway, so connections never share an address pair). Inner hosts sit on a second
# veth pair inside each namespace: cloud 198.19.1-40.{1,65,129}/24, peer 198.19.101-140.{1,65,129}
# (kernel-libipsec routes a CHILD_SA only when the host holds an address of its local selector). Addresses
# come from 198.18.0.0/15 only and there is no default route: nothing leaves the namespaces.
# IPv6, from the benchmarking prefix 2001:2::/48 only (RFC 5180): outer cloud 2001:2::1/64, peer
# 2001:2::<hex n+1>/64; inner cloud 2001:2:0:1NNk::1/64, peer 2001:2:0:2NNk::1/64 (NN = n in two
# decimal digits, k = 0..2: one /64 per policy rule, the /60 2001:2:0:1NN0::/60 is connection n's);
# vpnd's IPv6 EIPs come from 2001:2:0:ff00::/56, which the peer side routes over the veth. DAD is
# off in both namespaces (accept_dad = 0, addresses added nodad): every address is usable at once.
# A third namespace "<tag>-cloud2" holds only a loopback: the charon of a second data-plane node
# (its connections load, they cannot reach a customer).
#
# Each charon runs with kernel-libipsec (ESP in user space over a TUN device: this kernel has
# no usable XFRM offload or interfaces), its own STRONGSWAN_CONF, its VICI socket at
# DIR/SIDE/charon.vici and a private /run (charon's pid file path is fixed). Logs:
# DIR/SIDE/charon.log.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
CHARON=/usr/lib/ipsec/charon
N_PEERS=40

die() {
    echo "bed.sh: $*" >&2
    exit 1
}

ns_of() { # DIR SIDE
    echo "$(cat "$1/tag")-$2"
}

probe() {
    [ "$(id -u)" -eq 0 ] || return 1
    command -v ip >/dev/null 2>&1 || return 1
    name="vpnd-probe-$$"
    ip netns add "$name" 2>/dev/null || return 1
    ip netns del "$name"
}

write_conf() { # DIR SIDE
    d="$1/$2"
    mkdir -p "$d/run"
    cat >"$d/strongswan.conf" <<EOF
# charon of the $2 side of a vpnd data-plane test bed
charon {
    load_modular = no
    load = random nonce openssl pem pkcs1 x509 pubkey hmac kdf sha1 sha2 md5 aes gcm gmp kernel-libipsec kernel-netlink socket-default vici
    # IKEv2 liveness: 3 sends 2 s apart, peer dead 6 s after the first unanswered DPD
    retransmit_timeout = 2
    retransmit_base = 1
    retransmit_tries = 2
    # the API offers IKEv1 aggressive mode with PSK; charon refuses it unless told otherwise
    i_dont_care_about_security_and_use_aggressive_mode_psk = yes
    plugins {
        vici {
            socket = unix://$d/charon.vici
        }
    }
    filelog {
        log {
            path = $d/charon.log
            time_format = %T
            default = 1
            ike = 2
            flush_line = yes
        }
    }
    syslog {
        daemon {
            default = -1
        }
    }
}
swanctl {
    load = random nonce pem pkcs1 x509 pubkey
}
EOF
}

up() { # DIR OWNER
    dir=$1
    owner=$2
    [ -d "$dir" ] || die "$dir: no such directory"
    probe || die "cannot create network namespaces here (needs root)"
    tag="vpnd-$$-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
    echo "$tag" >"$dir/tag"
    cloud="$tag-cloud"
    peer="$tag-peer"
    ip netns add "$cloud"
    ip netns add "$peer"
    for ns in "$cloud" "$peer"; do # before any link exists: every interface inherits "default"
        ip netns exec "$ns" sysctl -q -w net.ipv6.conf.default.accept_dad=0 \
            net.ipv6.conf.all.accept_dad=0
    done
    ip netns add "$tag-cloud2"
    ip -n "$tag-cloud2" link set lo up
    ip link add out netns "$cloud" type veth peer name out netns "$peer"
    for ns in "$cloud" "$peer"; do
        ip -n "$ns" link set lo up
        ip -n "$ns" link add in0 type veth peer name in1
        ip -n "$ns" link set in1 up
        ip -n "$ns" link set in0 up
        ip -n "$ns" link set out up
    done
    # addresses in one batch per namespace (hundreds of `ip` runs take seconds)
    {
        echo "addr add 198.18.1.1/24 dev out"
        echo "addr add 198.18.1.254/24 dev out"
        echo "addr add 2001:2::1/64 dev out nodad"
    } >"$dir/cloud.ip"
    : >"$dir/peer.ip"
    i=1
    while [ "$i" -le "$N_PEERS" ]; do
        echo "addr add 198.18.1.$((i + 1))/24 dev out" >>"$dir/peer.ip"
        printf 'addr add 2001:2::%x/64 dev out nodad\n' $((i + 1)) >>"$dir/peer.ip"
        for h in 1 65 129; do # hosts of the /26 quarters (policy rules)
            echo "addr add 198.19.$i.$h/24 dev in0" >>"$dir/cloud.ip"
            echo "addr add 198.19.$((i + 100)).$h/24 dev in0" >>"$dir/peer.ip"
        done
        for k in 0 1 2; do # one /64 per policy rule
            printf 'addr add 2001:2:0:1%02d%d::1/64 dev in0 nodad\n' "$i" "$k" >>"$dir/cloud.ip"
            printf 'addr add 2001:2:0:2%02d%d::1/64 dev in0 nodad\n' "$i" "$k" >>"$dir/peer.ip"
        done
        i=$((i + 1))
    done
    ip -n "$cloud" -batch "$dir/cloud.ip"
    ip -n "$peer" -batch "$dir/peer.ip"
    # vpnd's gateways get EIPs from the rest of 198.18.0.0/15 (added to the cloud side as they
    # are created): the customers reach them over the veth
    ip -n "$peer" route add 198.18.0.0/15 dev out
    ip -n "$peer" route add 2001:2:0:ff00::/56 dev out
    write_conf "$dir" cloud
    write_conf "$dir" peer
    write_conf "$dir" cloud2
    # the guard tears the bed down when its owner goes away, however that happens
    setsid sh -c "while kill -0 $owner 2>/dev/null; do sleep 1; done; exec '$HERE/bed.sh' down '$dir'" \
        </dev/null >/dev/null 2>&1 &
    echo $! >"$dir/guard.pid"
    # addresses are usable at once (no DAD on IPv4, none configured on IPv6); charons start
    # on demand
}

alive() { # PID: running (a zombie left for an absent reaper counts as gone)
    [ -r "/proc/$1/stat" ] || return 1
    state=$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1)
    [ "$state" != Z ]
}

charon_pid() { # DIR SIDE -> pid or nothing
    f="$1/$2/charon.pid"
    [ -f "$f" ] || return 0
    pid=$(cat "$f")
    if alive "$pid"; then echo "$pid"; fi
    return 0
}

start() { # DIR SIDE
    dir=$1
    side=$2
    d="$dir/$side"
    [ -z "$(charon_pid "$dir" "$side")" ] || die "$side charon already running"
    rm -f "$d/charon.vici" "$d/run/charon.pid" "$d/run/charon.ctl"
    ip netns exec "$(ns_of "$dir" "$side")" env STRONGSWAN_CONF="$d/strongswan.conf" \
        sh -c "mount --bind '$d/run' /run && exec $CHARON" >>"$d/charon.out" 2>&1 &
    echo $! >"$d/charon.pid"
    i=0
    until [ -S "$d/charon.vici" ]; do
        i=$((i + 1))
        [ "$i" -lt 500 ] || die "$side charon did not open its VICI socket in 5 s (see $d/charon.out)"
        alive "$(cat "$d/charon.pid")" || die "$side charon exited (see $d/charon.out)"
        sleep 0.01
    done
}

stop() { # DIR SIDE SIG
    pid=$(charon_pid "$1" "$2")
    [ -n "$pid" ] || return 0
    kill "-$3" "$pid" 2>/dev/null || true
    i=0
    while alive "$pid"; do
        i=$((i + 1))
        if [ "$i" -eq 300 ]; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
        sleep 0.01
    done
    rm -f "$1/$2/charon.pid"
}

down() { # DIR
    dir=$1
    [ -f "$dir/tag" ] || return 0
    stop "$dir" cloud TERM
    stop "$dir" peer TERM
    stop "$dir" cloud2 TERM
    for side in cloud peer cloud2; do
        ns=$(ns_of "$dir" "$side")
        ip netns del "$ns" 2>/dev/null || true
    done
    rm -f "$dir/tag"
    if [ -f "$dir/guard.pid" ]; then
        g=$(cat "$dir/guard.pid")
        rm -f "$dir/guard.pid"
        [ "$g" = "$$" ] || kill "$g" 2>/dev/null || true
    fi
}

cmd=${1:-}
[ -n "$cmd" ] || die "usage: bed.sh probe|up|down|start|kill|exec|swanctl ..."
shift
case "$cmd" in
probe) probe ;;
up) up "$1" "${2:-$PPID}" ;;
down) down "$1" ;;
start) start "$1" "$2" ;;
kill) stop "$1" "$2" "${3:-TERM}" ;;
exec)
    dir=$1
    side=$2
    shift 2
    exec ip netns exec "$(ns_of "$dir" "$side")" "$@"
    ;;
swanctl)
    dir=$1
    side=$2
    shift 2
    STRONGSWAN_CONF="$dir/$side/strongswan.conf" exec swanctl "$@" --uri "unix://$dir/$side/charon.vici"
    ;;
*) die "unknown command $cmd" ;;
esac

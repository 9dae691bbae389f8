#!/bin/sh
# Full-kernel probe for vlan-tag.fk.test.ts; runs as root inside the kernel-lab guest
# (`scripts/kernel-lab -- sh test/full-kernel/vlan-probe.sh`), never on the host.
#
# Builds a veth pair v0 (guest root netns) / v1 (netns "peer"), a VLAN 100 sub-interface
# v0.100 on v0, and captures on v1 the first frame of a ping through v0.100 ("tagged") and of
# a ping through plain v0 ("untagged"). Prints each capture after a "=== <label>" line.
set -eu

# The step under test. When berth's kernel layer (src/kernel/linux) can create VLAN links,
# replace this body with a call into it (e.g. a small node script using LinkOps); the rest of
# the probe is only the harness around it.
create_vlan() { # <parent> <name> <vlan id> — through berth's kernel layer, not ip(8)
  node test/full-kernel/create-vlan.mjs "$1" "$2" "$3"
}

# IPv6 would put router solicitations and MLD reports on the wire as soon as links come up,
# and `tcpdump -c 1` must see our ping's frame first.
disable_ipv6() { # [netns]
  for conf in all default; do
    if [ -n "${1:-}" ]; then
      ip netns exec "$1" sh -c "echo 1 > /proc/sys/net/ipv6/conf/$conf/disable_ipv6"
    else
      echo 1 > "/proc/sys/net/ipv6/conf/$conf/disable_ipv6"
    fi
  done
}

ip netns add peer
disable_ipv6
disable_ipv6 peer
ip link add v0 type veth peer name v1 netns peer
ip link set v0 up
ip -n peer link set v1 up
ip addr add 198.51.100.1/24 dev v0

create_vlan v0 v0.100 100
ip addr add 192.0.2.1/24 dev v0.100
ip link set v0.100 up

# The peer answers on both paths, so each ping completes and no ARP retry of one capture
# leaks into the next. Its VLAN link is harness, not under test.
ip -n peer addr add 198.51.100.2/24 dev v1
ip -n peer link add link v1 name v1.100 type vlan id 100
ip -n peer addr add 192.0.2.2/24 dev v1.100
ip -n peer link set v1.100 up

# Captures on v1 the first frame that a ping to <destination> puts on the wire (the ARP
# request), then prints the capture and whether the ping got its reply.
capture() { # <label> <destination>
  out="/tmp/capture-$1.out"
  err="/tmp/capture-$1.err"
  ip netns exec peer timeout 20 tcpdump -e -n -c 1 -i v1 > "$out" 2> "$err" &
  tcpdump_pid=$!
  tries=0
  until grep -q 'listening on' "$err"; do
    tries=$((tries + 1))
    if [ "$tries" -gt 100 ]; then
      echo "tcpdump did not start:" >&2
      cat "$err" >&2
      exit 1
    fi
    sleep 0.1
  done
  if ping -c 1 -W 2 "$2" > /dev/null 2>&1; then reply=yes; else reply=no; fi
  wait "$tcpdump_pid" || { echo "tcpdump failed:" >&2; cat "$err" >&2; exit 1; }
  echo "=== $1"
  cat "$out"
  echo "reply: $reply"
}

echo "=== links"
ip -d link show v0.100
capture tagged 192.0.2.2
capture untagged 198.51.100.2
echo "=== end"

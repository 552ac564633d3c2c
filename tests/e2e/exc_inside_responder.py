#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""tests/e2e/exc_inside_responder.py: the kernel side of an inside port's
exception path in the lab (tests/e2e/exception_inside_test.sh).

The lab's kernel has no 802.1Q devices, so instead of `ip link add link
sl-exc1 name sl-exc1.100 type vlan id 100` this listens on the TAP with an
AF_PACKET socket. Every frame is logged with the VLAN it carried (the
kernel moves a received tag into the packet's metadata: it is read back
from PACKET_AUXDATA, or from the frame if it is still there), and a UDP
datagram to port 3784 of the gateway (IPv4 or IPv6) is answered from the
gateway's address and port, on the same VLAN, with "vlan=N " + its payload,
as a VLAN device's socket would; a TCP SYN to port 179 of the gateway gets a
SYN-ACK (and nothing more: enough for the instance's connect()). ARP and ND
are never answered: sluice-dp does that.

    exc_inside_responder.py IFNAME LOGFILE SECONDS
"""
import socket
import struct
import sys
import time

SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 1 << 4
PORT = 3784


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def udp_reply4(ip, vlan):
    ihl = (ip[0] & 15) * 4
    sport, dport = struct.unpack("!HH", ip[ihl : ihl + 4])
    if dport != PORT:
        return None
    payload = b"vlan=%d " % vlan + ip[ihl + 8 : struct.unpack("!H", ip[2:4])[0]]
    udp = struct.pack("!HHHH", PORT, sport, 8 + len(payload), 0) + payload  # no checksum (IPv4)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0, ip[16:20], ip[12:16])
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return b"\x08\x00" + hdr + udp


def syn_ack4(ip):
    """A SYN to port 179 of the gateway (BGP-like) gets a SYN-ACK: the
    instance's connect() then succeeds. Anything else of TCP: None."""
    ihl = (ip[0] & 15) * 4
    sport, dport, seq = struct.unpack("!HHI", ip[ihl : ihl + 8])
    if dport != 179 or ip[ihl + 13] & 0x3F != 0x02:  # SYN alone
        return None
    tcp = struct.pack("!HHIIBBHHH", 179, sport, 0x5C000000, (seq + 1) & 0xFFFFFFFF, 5 << 4, 0x12, 65535, 0, 0)
    pseudo = ip[16:20] + ip[12:16] + struct.pack("!xBH", 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, ip[16:20], ip[12:16])
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return b"\x08\x00" + hdr + tcp


def udp_reply6(ip, vlan):
    if ip[6] != 17:
        return None
    sport, dport = struct.unpack("!HH", ip[40:44])
    if dport != PORT:
        return None
    payload = b"vlan=%d " % vlan + ip[48 : 40 + struct.unpack("!H", ip[4:6])[0]]
    src, dst = ip[24:40], ip[8:24]
    udp = struct.pack("!HHHH", PORT, sport, 8 + len(payload), 0) + payload
    pseudo = src + dst + struct.pack("!IxxxB", len(udp), 17)
    ck = csum(pseudo + udp) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", ck) + udp[8:]
    hdr = struct.pack("!IHBB", 6 << 28, len(udp), 17, 64) + src + dst
    return b"\x86\xdd" + hdr + udp


def main():
    ifname, logname, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    with open("/sys/class/net/%s/address" % ifname) as f:
        mymac = bytes.fromhex(f.read().strip().replace(":", ""))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.bind((ifname, 0))
    s.settimeout(0.2)
    log = open(logname, "a", buffering=1)
    log.write("ready\n")
    end = time.time() + seconds
    while time.time() < end:
        try:
            data, anc, _flags, addr = s.recvmsg(65535, socket.CMSG_SPACE(20))
        except socket.timeout:
            continue
        if addr[2] == socket.PACKET_OUTGOING:
            continue  # what we (or the kernel) sent
        vlan = None
        for level, kind, cd in anc:
            if level == SOL_PACKET and kind == PACKET_AUXDATA and len(cd) >= 20:
                status, _l, _sl, _mac, _net, tci, _tpid = struct.unpack("IIIHHHH", cd[:20])
                if status & TP_STATUS_VLAN_VALID:
                    vlan = tci & 0xFFF
        if vlan is None and data[12:14] == b"\x81\x00":
            vlan = struct.unpack("!H", data[14:16])[0] & 0xFFF
            data = data[:12] + data[16:]
        etype = data[12:14]
        kind = {b"\x08\x06": "arp", b"\x08\x00": "ip4", b"\x86\xdd": "ip6"}.get(etype, etype.hex())
        reply = None
        if vlan is not None and etype == b"\x08\x00" and data[23] == 17:
            kind = "udp4"
            reply = udp_reply4(data[14:], vlan)
        elif vlan is not None and etype == b"\x86\xdd" and len(data) >= 62:
            kind = "udp6" if data[20] == 17 else ("icmp6-%d" % data[54] if data[20] == 58 else kind)
            reply = udp_reply6(data[14:], vlan) if data[20] == 17 else None
        elif vlan is not None and etype == b"\x08\x00" and data[23] == 6:
            kind = "tcp4"
            reply = syn_ack4(data[14:])
        elif vlan is not None and etype == b"\x08\x00" and data[23] == 1:
            kind = "icmp4"
        log.write("%s vlan=%s len=%d\n" % (kind, vlan if vlan is not None else "none", len(data)))
        if reply is not None:
            s.send(data[6:12] + mymac + b"\x81\x00" + struct.pack("!H", vlan) + reply)
            log.write("replied vlan=%d\n" % vlan)


if __name__ == "__main__":
    main()

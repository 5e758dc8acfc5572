/**
 * Just enough rtnetlink (rtnetlink(7), netlink(7)) to wire a container to a
 * bridge: make links (a bridge, a veth pair), set them up, give an address,
 * add a route. Each request asks for an ACK, and a negative error in the
 * kernel's NLMSG_ERROR reply is thrown with its errno.
 */
import { check, libc } from "./libc.ts";

const NLMSG_ERROR = 2;
export const RTM = { NEWLINK: 16, NEWADDR: 20, NEWROUTE: 24 } as const;
export const NLM_F = { REQUEST: 1, ACK: 4, EXCL: 0x200, CREATE: 0x400 } as const;
export const IFLA = { IFNAME: 3, MASTER: 10, LINKINFO: 18, NET_NS_FD: 28 } as const;
const IFLA_INFO = { KIND: 1, DATA: 2 } as const;
const VETH_INFO_PEER = 1;
const IFA = { ADDRESS: 1, LOCAL: 2 } as const;
const RTA = { OIF: 4, GATEWAY: 5 } as const;
const IFF_UP = 1;

export class NetlinkError extends Error {
  constructor(
    message: string,
    readonly errno: number,
  ) {
    super(message);
  }
}

/** One netlink attribute: length, type, payload padded to 4 bytes. */
export function rtattr(type: number, payload: Buffer): Buffer {
  const len = 4 + payload.length;
  const b = Buffer.alloc((len + 3) & ~3);
  b.writeUInt16LE(len, 0);
  b.writeUInt16LE(type, 2);
  payload.copy(b, 4);
  return b;
}
const nested = (type: number, ...attrs: Buffer[]) => rtattr(type | 0x8000 /* NLA_F_NESTED */, Buffer.concat(attrs));
const cstring = (s: string) => Buffer.from(`${s}\0`);
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const ipv4 = (ip: string) => Buffer.from(ip.split(".").map(Number));

/** struct ifinfomsg (16 bytes): family, type, index, flags, change. */
function ifinfomsg(index = 0, flags = 0, change = 0): Buffer {
  const b = Buffer.alloc(16);
  b.writeInt32LE(index, 4);
  b.writeUInt32LE(flags, 8);
  b.writeUInt32LE(change, 12);
  return b;
}

/** The index of an interface in the calling thread's network namespace (netdevice(7): SIOCGIFINDEX). */
export function ifindex(name: string): number {
  const fd = check(libc.socket(2 /* AF_INET */, 2 /* SOCK_DGRAM */ | 0x80000 /* SOCK_CLOEXEC */, 0), "socket");
  try {
    const ifr = Buffer.alloc(40);
    ifr.write(name, 0);
    check(libc.ioctl(fd, 0x8933 /* SIOCGIFINDEX */, ifr), `SIOCGIFINDEX ${name}`);
    return ifr.readInt32LE(16);
  } finally {
    libc.close(fd);
  }
}

/** A NETLINK_ROUTE socket in the network namespace of the thread that opens it (it stays there). */
export class Rtnetlink {
  private readonly fd: number;
  private seq = 0;

  constructor() {
    this.fd = check(libc.socket(16 /* AF_NETLINK */, 3 /* SOCK_RAW */ | 0x80000 /* SOCK_CLOEXEC */, 0 /* NETLINK_ROUTE */), "socket(AF_NETLINK)");
  }

  close(): void {
    libc.close(this.fd);
  }

  /** Sends one request with NLM_F_REQUEST | NLM_F_ACK and waits for its acknowledgement. */
  request(type: number, flags: number, body: Buffer, what: string): void {
    const seq = ++this.seq;
    const header = Buffer.alloc(16);
    header.writeUInt32LE(16 + body.length, 0);
    header.writeUInt16LE(type, 4);
    header.writeUInt16LE(NLM_F.REQUEST | NLM_F.ACK | flags, 6);
    header.writeUInt32LE(seq, 8);
    const msg = Buffer.concat([header, body]);
    check(Number(libc.write(this.fd, msg, msg.length)), `netlink send (${what})`);
    const reply = Buffer.alloc(8192);
    for (;;) {
      const n = check(Number(libc.read(this.fd, reply, reply.length)), `netlink receive (${what})`);
      for (let off = 0; off + 16 <= n; ) {
        const len = reply.readUInt32LE(off);
        if (reply.readUInt16LE(off + 4) === NLMSG_ERROR && reply.readUInt32LE(off + 8) === seq) {
          const error = reply.readInt32LE(off + 16);
          if (error === 0) return;
          throw new NetlinkError(`${what}: ${libc.strerror(-error)}`, -error);
        }
        off += (len + 3) & ~3;
        if (len < 16) break;
      }
    }
  }

  /** RTM_NEWLINK for a new bridge (ip link add <name> type bridge). */
  addBridge(name: string): void {
    const body = Buffer.concat([ifinfomsg(), rtattr(IFLA.IFNAME, cstring(name)), nested(IFLA.LINKINFO, rtattr(IFLA_INFO.KIND, cstring("bridge")))]);
    this.request(RTM.NEWLINK, NLM_F.CREATE | NLM_F.EXCL, body, `create bridge ${name}`);
  }

  /** RTM_NEWLINK for a veth pair: `name` here, enslaved to `master`; its peer `peer` made directly in the namespace open on `netnsFd`. */
  addVeth(name: string, master: number, peer: string, netnsFd: number): void {
    const peerInfo = Buffer.concat([ifinfomsg(), rtattr(IFLA.IFNAME, cstring(peer)), rtattr(IFLA.NET_NS_FD, u32(netnsFd))]);
    const linkinfo = nested(IFLA.LINKINFO, rtattr(IFLA_INFO.KIND, cstring("veth")), nested(IFLA_INFO.DATA, rtattr(VETH_INFO_PEER, peerInfo)));
    const body = Buffer.concat([ifinfomsg(), rtattr(IFLA.IFNAME, cstring(name)), rtattr(IFLA.MASTER, u32(master)), linkinfo]);
    this.request(RTM.NEWLINK, NLM_F.CREATE | NLM_F.EXCL, body, `create veth ${name} (peer ${peer})`);
  }

  /** RTM_NEWLINK on an existing link: IFF_UP in both flags and change. */
  up(index: number, name: string): void {
    this.request(RTM.NEWLINK, 0, ifinfomsg(index, IFF_UP, IFF_UP), `set ${name} up`);
  }

  /** RTM_NEWADDR: ip/prefix on the link. */
  addAddress(index: number, ip: string, prefix: number, name: string): void {
    const msg = Buffer.from([2 /* AF_INET */, prefix, 0, 0 /* RT_SCOPE_UNIVERSE */, 0, 0, 0, 0]);
    msg.writeUInt32LE(index, 4);
    this.request(RTM.NEWADDR, NLM_F.CREATE | NLM_F.EXCL, Buffer.concat([msg, rtattr(IFA.LOCAL, ipv4(ip)), rtattr(IFA.ADDRESS, ipv4(ip))]), `add ${ip}/${prefix} to ${name}`);
  }

  /** RTM_NEWROUTE: the default route via `gateway` out of the link. */
  addDefaultRoute(index: number, gateway: string): void {
    // struct rtmsg: family, dst_len 0 (default), src_len, tos, table main (254), protocol boot (3), scope universe, type unicast (1), flags.
    const msg = Buffer.from([2, 0, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0]);
    this.request(RTM.NEWROUTE, NLM_F.CREATE | NLM_F.EXCL, Buffer.concat([msg, rtattr(RTA.GATEWAY, ipv4(gateway)), rtattr(RTA.OIF, u32(index))]), `add default route via ${gateway}`);
  }
}

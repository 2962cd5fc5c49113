// Public surface of core/net: addresses, CIDR blocks and sets, ports and protocols.
export {
  type IP,
  type IPv4,
  type IPv6,
  type IPVersion,
  addressBits,
  compareIP,
  ipEquals,
  ipv4,
  ipv6,
  isV4Mapped,
  mapV4,
  unmapV4,
  V4_MAX,
  V6_MAX,
} from './ip.js';
export { formatIP, parseIP } from './ip-text.js';
export { parseIPRange, type IPRangeParse } from './ip-range.js';
export {
  type CIDR,
  type CidrParse,
  cidrContains,
  cidrContainsCidr,
  cidrOf,
  cidrOverlaps,
  cidrRange,
  compareCIDR,
  formatCIDR,
  parseCIDR,
  rangeToCIDRs,
} from './cidr.js';
export { aggregateCIDRs, CidrSet, type IPRange, sortCIDRs, sortIPs } from './cidr-set.js';
export { PORT_MAX, type PortRange, PortSet } from './port-set.js';
export {
  isValidPortName,
  parseCalicoPort,
  portNameProblems,
  type PortSpec,
  type PortSpecParse,
} from './calico-port.js';
export {
  CALICO_PORTS_NEED_PROTOCOL,
  calicoProtocolSupportsPorts,
  parseCalicoProtocol,
  PROTO,
  protocolHasPorts,
  protocolName,
  type ProtocolNumber,
  type ProtocolParse,
} from './protocol.js';

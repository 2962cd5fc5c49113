// IP protocol numbers and Calico's protocol field.

/** An IANA IP protocol number, 0..255. */
export type ProtocolNumber = number;

/** The protocols Calico names. */
export const PROTO = {
  TCP: 6,
  UDP: 17,
  SCTP: 132,
  ICMP: 1,
  ICMPv6: 58,
  UDPLite: 136,
} as const satisfies Record<string, ProtocolNumber>;

export type ProtocolParse = { ok: true; proto: ProtocolNumber } | { ok: false; message: string };

type ProtoName = keyof typeof PROTO;
const NAMES = new Map<number, ProtoName>(
  Object.entries(PROTO).map(([name, n]) => [n, name as ProtoName]),
);

/**
 * Parses a Calico rule protocol (projectcalico/api numorstring.Protocol + validator v3):
 * a JSON integer 1..255, a decimal string (JSON "6" is stored as the number 6), or one of
 * TCP UDP ICMP ICMPv6 SCTP UDPLite. Names are case-sensitive: the v3 validator's regex is
 * ^(TCP|UDP|ICMP|ICMPv6|SCTP|UDPLite)$; "tcp" was the v1 API spelling and is rejected.
 * 0 is rejected ("protocol number invalid").
 */
export function parseCalicoProtocol(value: unknown): ProtocolParse {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0 || value > 255) {
      return { ok: false, message: `invalid protocol ${value}: must be an integer from 1 to 255` };
    }
    return protocolNumber(value, String(value));
  }
  if (typeof value !== 'string') {
    return { ok: false, message: `invalid protocol ${describe(value)}: must be a name or number` };
  }
  // Go's strconv.ParseUint(s, 10, 8): plain ASCII digits (leading zeros allowed), <= 255.
  if (/^[0-9]+$/.test(value) && Number(value) <= 255) {
    return protocolNumber(Number(value), JSON.stringify(value));
  }
  if (Object.hasOwn(PROTO, value)) return { ok: true, proto: PROTO[value as ProtoName] };
  const hint = caseHint(value);
  return {
    ok: false,
    message: `invalid protocol ${JSON.stringify(value)}: must be one of TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or a number from 1 to 255${hint}`,
  };
}

function protocolNumber(n: number, shown: string): ProtocolParse {
  if (n === 0) return { ok: false, message: `invalid protocol ${shown}: must be from 1 to 255` };
  return { ok: true, proto: n };
}

function caseHint(value: string): string {
  const match = Object.keys(PROTO).find((k) => k.toLowerCase() === value.toLowerCase());
  return match === undefined ? '' : ` (names are case-sensitive: use ${JSON.stringify(match)})`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json;
}

/** Calico's name for a protocol ("TCP", "ICMPv6", ...) or its number as text. */
export function protocolName(p: ProtocolNumber): string {
  return NAMES.get(p) ?? String(p);
}

/** True for protocols whose packets carry ports: TCP, UDP, SCTP, UDP-Lite. */
export function protocolHasPorts(p: ProtocolNumber): boolean {
  return p === PROTO.TCP || p === PROTO.UDP || p === PROTO.SCTP || p === PROTO.UDPLite;
}

/**
 * True when Calico lets a rule with this protocol set ports: TCP, UDP, SCTP only.
 * UDPLite carries ports but Calico's Protocol.SupportsPorts excludes it, and its validator
 * rejects such rules with "rules that specify ports must set protocol to TCP or UDP or SCTP".
 */
export function calicoProtocolSupportsPorts(p: ProtocolNumber): boolean {
  return p === PROTO.TCP || p === PROTO.UDP || p === PROTO.SCTP;
}

export const CALICO_PORTS_NEED_PROTOCOL =
  'rules that specify ports must set protocol to TCP or UDP or SCTP';

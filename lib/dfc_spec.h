/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * dfc_spec: one DTCP criterion in DTCP terms (draft-cavuto-dtcp §8 filter
 * values, docs/dtcp.md §3.4), its expansion into the disjoint masked
 * entries and exclusions the kernel table takes (include/uapi/linux/dfc.h,
 * DFC_CRIT_A_ENTRY / DFC_CRIT_A_EXCL), and a naive reference matcher.
 * Shared by dtcpd and dfcctl; plain C, no allocation visible to callers.
 *
 * Value grammar accepted by dfc_spec_parse_field(), one field at a time:
 *
 *   value = item *("," item)        whitespace (SP, HTAB) allowed around
 *   item  = ["!"] entry              items, after "!" and around "-" and "/"
 *   entry = v | v "-" v | v "-*" | "*-" v | "*"        (v "-" v: lo <= hi)
 *         | addr "/" len                               (addresses only)
 *
 *   addresses: IPv4 or IPv6 text as inet_pton(3) takes it (no brackets,
 *   no zone), "/len" 0..32 or 0..128 (host bits below len are ignored:
 *   10.1.1.7/24 is 10.1.1.0/24); both ends of a range have one version.
 *   ports: 0..65535; protocol, ICMP type and code: 0..255; decimal digits.
 *   At most DFC_SPEC_MAX_ITEMS items per field.
 *
 * Semantics: the contract dfc_spec_expand() and dfc_spec_match_naive()
 * both implement (the host test unit_table checks one against the other).
 *
 *   - A field matches a frame when the frame's value is inside at least one
 *     positive item (or the field has no positive item) and inside no
 *     negative item. A field with no item at all is "don't care".
 *   - The criterion matches when every field matches (AND), and:
 *   - ipver != 0: the frame's IP version must be ipver. "*" on an address
 *     field sets nothing: with ipver 0 it means any address of any
 *     version, otherwise any address of that version.
 *   - IP versions: a field's items may mix IPv4 and IPv6 (DTCP allows it;
 *     the two ends of one range may not). The criterion matches the
 *     versions every constraint allows: ipver, and each address field
 *     that names a version (by its items of that version; "*" items count
 *     for both). A frame of one of them is matched by the items of its own
 *     version. When one version is left, ipver becomes it; none left is
 *     an error ("IPv6, but the criterion is IPv4 already").
 *   - Port condition: if sport or dport has any item, positive or negative
 *     (even "*" alone), only frames that carry ports (TCP, UDP, SCTP,
 *     UDP-Lite; not a non-first fragment) can match. Likewise any item on
 *     icmp_type or icmp_code: only frames that carry an ICMP/ICMPv6 type
 *     and code can match. A field whose positive items cover every value
 *     becomes a wildcard but stays such a condition. Callers that want
 *     DTCP's "Source-Port: *" to mean "don't care" simply skip the field.
 *   - ifindex != 0: the frame must arrive on that interface.
 *   - Negation only ("!80") is fine: everything but 80 (still a port
 *     condition). "!*" matches nothing: the criterion never matches.
 *
 * Expansion: per field, the positive items are merged into disjoint sorted
 * ranges and each range is split into prefix-aligned blocks (value/mask;
 * addresses as a prefix length), except ports: a port range is one block
 * in range form (sport_range/sport_max; one port stays value/mask). The entries are the cross product of the
 * fields' blocks, so any two differ on some field where their blocks are
 * disjoint: no frame matches two entries. The negative items of a field
 * are merged, clipped to the field's positive ranges (a negative value no
 * positive item admits needs no exclusion) and split into blocks too; each
 * block is one exclusion entry constraining only its field (plus ipver for
 * addresses, plus the port/ICMP condition flag for port/ICMP fields).
 * Every entry carries ipver, ifindex and the ports/icmp flags. A criterion
 * of both versions expands once per version (its items of that version
 * and "*"), the entries and address exclusions of each carrying it.
 */
#ifndef DFC_SPEC_H
#define DFC_SPEC_H

#include <stdbool.h>
#include <stdint.h>
#include "dfc_nl.h"

/*
 * Entries and exclusions come out as struct dfc_nl_entry (lib/dfc_nl.h):
 * one DFC_ENTRY_A_* nest each, 1:1 with kmod/entry.h's struct dfc_espec.
 */

#define DFC_SPEC_MAX_ITEMS 64	/* items per field */

enum dfc_spec_field {
	DFC_SPEC_SRC,		/* Source-Address */
	DFC_SPEC_DST,		/* Dest-Address */
	DFC_SPEC_SPORT,		/* Source-Port */
	DFC_SPEC_DPORT,		/* Dest-Port */
	DFC_SPEC_PROTO,		/* Protocol */
	DFC_SPEC_ICMP_TYPE,	/* ICMP-Type */
	DFC_SPEC_ICMP_CODE,	/* ICMP-Code */
	DFC_SPEC_NFIELDS
};

/*
 * An address range lo..hi, big-endian. Only the first 4 (IPv4 criterion)
 * or 16 (IPv6) bytes count; "*" is all zeros..all ones over 16 bytes, so
 * it holds for either version.
 */
struct dfc_spec_addr {
	uint8_t lo[16], hi[16];
	bool neg;
	uint8_t ver;		/* 4 or 6; 0: "*" (either) */
};

struct dfc_spec_num {
	uint16_t lo, hi;	/* inclusive */
	bool neg;
};

struct dfc_spec_nums {
	unsigned int n;
	struct dfc_spec_num item[DFC_SPEC_MAX_ITEMS];
};

struct dfc_spec_addrs {
	unsigned int n;
	struct dfc_spec_addr item[DFC_SPEC_MAX_ITEMS];
};

/* Zero-initialise (= matches every IP frame), then parse fields into it. */
struct dfc_spec {
	uint8_t ipver;		/* 0: any, 4, 6 */
	uint32_t ifindex;	/* 0: any */
	struct dfc_spec_nums proto, sport, dport, icmp_type, icmp_code;
	struct dfc_spec_addrs src, dst;
};

/*
 * Parse value into field f of s, replacing what f held (ipver, once set,
 * stays). All or nothing: on error s is unchanged, *why (if why is not
 * NULL) says what is wrong, quoting the offending item; the text lives in
 * thread-local storage until the next call. 0, or -EINVAL.
 */
int dfc_spec_parse_field(struct dfc_spec *s, enum dfc_spec_field f,
			 const char *value, const char **why);

/* DTCP parameter name of a field ("Source-Address", ...), and back
 * (case-insensitive); -1 if name is not a filter field.
 */
const char *dfc_spec_field_name(enum dfc_spec_field f);
int dfc_spec_field_by_name(const char *name);

/*
 * Expand s into pairwise disjoint entries and exclusions. Caller's arrays
 * hold max_entries / max_excl, each clamped to DFC_CRIT_MAX_ENTRIES /
 * DFC_CRIT_MAX_EXCL. 0; -E2BIG when more would be needed ("criterion
 * expands to more than N entries" / "... exclusions"); -EINVAL for a spec
 * the parser could not have produced; -ENOMEM. *n_entries >= 1 on success.
 */
int dfc_spec_expand(const struct dfc_spec *s,
		    struct dfc_nl_entry *entries, unsigned int max_entries,
		    unsigned int *n_entries,
		    struct dfc_nl_entry *excl, unsigned int max_excl,
		    unsigned int *n_excl, const char **why);

/* A frame as the reference matcher sees it. Addresses like the spec's. */
struct dfc_flow {
	uint8_t ipver;		/* 4 or 6 */
	uint8_t src[16], dst[16];
	bool has_ports;		/* TCP/UDP/SCTP/UDP-Lite, not a later fragment */
	uint16_t sport, dport;	/* host order */
	uint8_t proto;
	bool has_icmp;		/* ICMP/ICMPv6 with type and code */
	uint8_t icmp_type, icmp_code;
	bool frag;		/* informational: the matcher ignores it */
	uint32_t ifindex;
};

/* The semantics above, evaluated item by item: slow, obviously right. */
bool dfc_spec_match_naive(const struct dfc_spec *s, const struct dfc_flow *f);

#endif /* DFC_SPEC_H */

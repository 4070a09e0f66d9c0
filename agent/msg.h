/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * DTCP messages (draft-cavuto-dtcp-03 §5, §8; docs/dtcp.md §3): the
 * lenient line parser every received message goes through, and the
 * printer every message we send is built with. No sockets, no state:
 * unit tests and the fuzzer link this file alone.
 *
 * Parsing never gives up on a bad parameter line: it remembers the first
 * one (with why) and goes on, because the message must still be
 * authenticated before we may answer it with a 400 that echoes that line
 * (an unauthenticated message is never answered). Only a message with no
 * recognisable start line, or one too large, is refused outright.
 *
 * Decoded text is safe to carry into other formats: a decoded name is
 * visible characters without ':' and a decoded value holds no control
 * character (an escape of one is a bad line: 400; a raw HTAB, which the
 * grammar allows as whitespace, decodes to SP). Lists are split on the raw
 * text and each element decoded after (dtcp_list_split, dtcp_unescape):
 * an escape is never a delimiter. These two are the agent's only \DDD
 * decoder and comma splitter.
 */
#ifndef DTCP_MSG_H
#define DTCP_MSG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DTCP_MSG_MAX 65535	/* largest request we read (one UDP datagram) */
#define DTCP_MAX_PARAMS 256	/* parameter lines kept per message */
#define DTCP_DGRAM_BUDGET 1400	/* what we aim to keep each datagram under */
#define DTCP_OUT_MAX 65536	/* one datagram we build, whatever its size */
#define DTCP_HMAC_HEX 40

/* The versions we speak: lowest, current, highest. */
#define DTCP_VER(maj, min) ((maj) * 1000 + (min))
#define DTCP_VER_LOW DTCP_VER(0, 6)
#define DTCP_VER_CUR DTCP_VER(0, 7)
#define DTCP_VER_HIGH DTCP_VER(0, 8)

enum dtcp_kind {
	DTCP_K_REQUEST,		/* "METHOD DTCP/x.y" */
	DTCP_K_STATUS,		/* "DTCP/x.y NNN reason": response or notification */
};

/*
 * The parameter names we know (draft §5, Junos extensions), in one list:
 * a parameter line is looked up once, when parsed, and found by its id
 * after that (dtcp_msg_pget).
 */
#define DTCP_PARAMS(X) \
	X(CSOURCE_ID, "Csource-ID") X(SEQ, "Seq") X(AUTH_INFO, "Authentication-Info") \
	X(CDEST_ID, "Cdest-ID") X(SOURCE_ADDRESS, "Source-Address") \
	X(DEST_ADDRESS, "Dest-Address") X(PROTOCOL, "Protocol") X(SOURCE_PORT, "Source-Port") \
	X(DEST_PORT, "Dest-Port") X(ICMP_TYPE, "ICMP-Type") X(ICMP_CODE, "ICMP-Code") \
	X(TIMEOUT_IDLE, "Timeout-Idle") X(TIMEOUT_TOTAL, "Timeout-Total") \
	X(TIMEOUT_PACKETS, "Timeout-Packets") X(TIMEOUT_BYTES, "Timeout-Bytes") \
	X(PRIORITY, "Priority") X(ACTION, "Action") X(FLAGS, "Flags") \
	X(CRITERIA_ID, "Criteria-ID") X(CRITERIA_COUNT, "Criteria-Count") \
	X(CRITERIA_NUM, "Criteria-Num") X(CSOURCE_ADDRESS, "Csource-Address") \
	X(TIMESTAMP, "Timestamp") X(LAST_REFRESH, "Last-Refresh") \
	X(REMAINING_IDLE, "Remaining-Idle") X(REMAINING_TOTAL, "Remaining-Total") \
	X(REMAINING_PACKETS, "Remaining-Packets") X(REMAINING_BYTES, "Remaining-Bytes") \
	X(AVERAGE_BANDWIDTH, "Average-Bandwidth") X(MATCHING_PACKETS, "Matching-Packets") \
	X(MATCHING_BYTES, "Matching-Bytes") X(NUM_REFRESH, "Num-Refresh") \
	X(ALERT_INFO, "Alert-Info") X(ALERT_BANDWIDTH, "Alert-Bandwidth") \
	X(MAX_BANDWIDTH, "Max-Bandwidth") X(JT_DEST_ADDRESS, "X-JTap-Cdest-Dest-Address") \
	X(JT_DEST_PORT, "X-JTap-Cdest-Dest-Port") \
	X(JT_SOURCE_ADDRESS, "X-JTap-Cdest-Source-Address") \
	X(JT_SOURCE_PORT, "X-JTap-Cdest-Source-Port") X(JT_TTL, "X-JTap-Cdest-TTL") \
	X(JT_VRF_NAME, "X-JTap-VRF-Name") X(JT_INPUT_IFACE, "X-JTap-Input-Interface") \
	X(JT_OUTPUT_IFACE, "X-JTap-Output-Interface") X(JT_IP_VERSION, "X-JTap-IP-Version") \
	X(JT_FILTER_FAMILY, "X-JTap-Filter-Family")

enum dtcp_pid {
	DTCP_P_UNKNOWN,		/* a name not in DTCP_PARAMS */
#define DTCP_P_ENUM(id, s) DTCP_P_##id,
	DTCP_PARAMS(DTCP_P_ENUM)
#undef DTCP_P_ENUM
	DTCP_P_COUNT
};

struct dtcp_param {
	const char *name;	/* as sent, escapes decoded */
	enum dtcp_pid pid;	/* which known name it is, or DTCP_P_UNKNOWN */
	size_t name_len;	/* compared before the names: most differ in it */
	const char *value;	/* escapes decoded, outer whitespace trimmed */
	const char *raw;	/* the value as sent (escapes intact), trimmed */
	const char *line;	/* the whole line as sent, without its end */
	unsigned int line_len;
	unsigned int lineno;	/* 1: the start line */
	bool escaped;		/* the value held at least one \DDD */
};

struct dtcp_msg {
	enum dtcp_kind kind;
	char method[32];	/* requests: as sent (compare case-insensitively) */
	int version;		/* DTCP_VER(), or -1 if the start line had none */
	char version_text[16];	/* "0.7" as sent */
	unsigned int code;	/* status lines */
	const char *reason;

	unsigned int n;
	struct dtcp_param p[DTCP_MAX_PARAMS];
	uint16_t first[DTCP_P_COUNT];	/* 1 + index of a known name's first line; 0: none */

	/* Authentication-Info: its value and how many bytes it signs. */
	const char *auth;
	size_t signed_len;

	/* The first problem found, for a 400 (bad_lineno 0: none). */
	unsigned int bad_lineno;
	const char *bad_line;
	unsigned int bad_line_len;
	char bad_why[96];

	/*
	 * The datagram as received (HMAC and echoes need its exact bytes),
	 * and the strings parsed from it. A line of c bytes (with its end)
	 * stores at most its decoded name and value (each no longer than as
	 * sent, so both with their NULs fit in c + 1) and its raw value (c):
	 * 2 * c + 1, so 2 * (DTCP_MSG_MAX + 1) holds any datagram. The arena
	 * still checks every write (dtcp_msg_parse), so a slip in this sum
	 * makes a bad line, never an overflow.
	 */
	char raw[DTCP_MSG_MAX + 1];
	size_t raw_len;
	char buf[2 * (DTCP_MSG_MAX + 1)];
	size_t buf_used;
};

/*
 * Parse len bytes (copied: data may go away). 0, -EMSGSIZE (too large),
 * -EBADMSG (no DTCP start line: not a DTCP message at all). Bad parameter
 * lines do not fail the parse: see bad_lineno.
 */
int dtcp_msg_parse(struct dtcp_msg *m, const void *data, size_t len);

/* First parameter called name (case-insensitive), or NULL. */
const struct dtcp_param *dtcp_msg_get(const struct dtcp_msg *m, const char *name);
/* The same for a known name, without comparing names. */
static inline const struct dtcp_param *dtcp_msg_pget(const struct dtcp_msg *m, enum dtcp_pid id)
{
	return m->first[id] ? &m->p[m->first[id] - 1] : NULL;
}
static inline const char *dtcp_msg_value(const struct dtcp_msg *m, const char *name)
{
	const struct dtcp_param *p = dtcp_msg_get(m, name);

	return p ? p->value : NULL;
}
/* How many times name occurs. */
unsigned int dtcp_msg_count(const struct dtcp_msg *m, const char *name);

/* "0.7" from DTCP_VER(0, 7). */
const char *dtcp_ver_str(int ver, char buf[16]);
/* "DTCP/x.y" text to DTCP_VER(); -1 if malformed. */
int dtcp_ver_parse(const char *s);

/* Standard reason phrase of a status code (docs/dtcp.md §4). */
const char *dtcp_reason(unsigned int code);

/*
 * Decimal numbers as DTCP writes them (digits only, no sign or space):
 * 0, or -EINVAL (not a number) / -ERANGE (above max).
 */
int dtcp_parse_u64(const char *s, uint64_t max, uint64_t *out);

/* DTCP-Time of a wall-clock time in milliseconds since the epoch (local time). */
void dtcp_time_fmt(uint64_t ms, char buf[32]);
/* Back; -EINVAL if malformed. */
int dtcp_time_parse(const char *s, uint64_t *ms);

/*
 * Write s as a DSTRING: bytes outside VCHAR, a comma (so that it can be
 * an element of a list) and a backslash that a reader would take for an
 * escape become \DDD. Returns the length it needs (like snprintf).
 */
size_t dtcp_escape(char *out, size_t size, const char *s);

/*
 * The agent's one \DDD decoder: s[0..len) into out (size bytes with
 * the NUL). Rejects (-EINVAL) an escape above 255, of NUL or of any other
 * control character, and a raw control character but HTAB, which becomes
 * SP. out may be s (in place). The decoded length, -EINVAL, or -E2BIG
 * (out too small).
 */
int dtcp_unescape(const char *s, size_t len, char *out, size_t size);

/* A piece of a raw value: not NUL-terminated. */
struct dtcp_span {
	const char *s;
	size_t len;
};

/*
 * The agent's one comma splitter: raw (as sent, escapes intact, so an
 * escaped comma is no delimiter) into at most max elements, each trimmed
 * of SP and HTAB; decode each with dtcp_unescape. The count, -EINVAL (an
 * empty element, or an empty value) or -E2BIG (more than max).
 */
int dtcp_list_split(const char *raw, struct dtcp_span *el, unsigned int max);
/* dtcp_unescape() of one element. */
int dtcp_span_decode(const struct dtcp_span *el, char *out, size_t size);

/* A parameter name's id, DTCP_P_UNKNOWN if it is none we know (any case). */
enum dtcp_pid dtcp_param_id(const char *name, size_t len);
/* The canonical spelling of a known name; NULL for DTCP_P_UNKNOWN. */
const char *dtcp_pid_name(enum dtcp_pid id);

/* ---- building messages ---- */

struct dtcp_out {
	char buf[DTCP_OUT_MAX];
	size_t len;
	bool upper;		/* Junos style: parameter names in upper case */
	bool overflow;		/* something did not fit: do not send */
};

void dtcp_out_init(struct dtcp_out *o, bool upper);
void dtcp_out_request(struct dtcp_out *o, const char *method, int ver);
void dtcp_out_status(struct dtcp_out *o, int ver, unsigned int code, const char *reason);
/* "Name: value" with name as given, or upper-cased in Junos style. */
void dtcp_out_param(struct dtcp_out *o, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void dtcp_out_vparam(struct dtcp_out *o, const char *name, const char *fmt, va_list ap);
/* The same with value escaped as a DSTRING. */
void dtcp_out_param_str(struct dtcp_out *o, const char *name, const char *value);
/* Raw bytes (a prepared block of lines). */
void dtcp_out_raw(struct dtcp_out *o, const char *s, size_t len);
/* Append Authentication-Info over everything so far, and the blank line. */
void dtcp_out_sign(struct dtcp_out *o, const void *key, size_t key_len);

#endif /* DTCP_MSG_H */

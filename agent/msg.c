// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DTCP message parser and printer. See msg.h.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth.h"
#include "msg.h"

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Bytes that need a look: control characters and the backslash. One table
 * lookup per byte keeps the loops over long values short (they run on
 * every datagram, authentic or not).
 */
static const bool special[256] = {
	[0 ... 0x1f] = true, [0x7f] = true, ['\\'] = true,
};

/*
 * How many bytes from s on need no look. Not traced by a fuzzer's coverage
 * (a byte loop over a table: tracing its compares taught libFuzzer nothing
 * and took 70% of the time of a 64 KB input).
 */
#if defined(__clang__)
__attribute__((no_sanitize("coverage")))
#endif
static size_t plain_run(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && !special[(unsigned char)s[i]])
		i++;
	return i;
}

/*
 * A line's bytes: LINE_BAD (a control character but HTAB), LINE_PLAIN
 * (nothing to decode: no HTAB, no backslash) or LINE_ESCAPED.
 */
enum { LINE_BAD = -1, LINE_PLAIN, LINE_ESCAPED };

static int line_scan(const char *s, size_t len)
{
	int r = LINE_PLAIN;

	for (size_t i = plain_run(s, len); i < len; i += 1 + plain_run(s + i + 1, len - i - 1)) {
		unsigned char c = s[i];

		if (c != '\\' && c != '\t')
			return LINE_BAD;
		r = LINE_ESCAPED;
	}
	return r;
}

static void set_bad(struct dtcp_msg *m, unsigned int lineno, const char *line,
		    size_t len, const char *why)
{
	if (m->bad_lineno)
		return; /* the first problem is the one we report */
	m->bad_lineno = lineno;
	m->bad_line = line;
	m->bad_line_len = len;
	snprintf(m->bad_why, sizeof(m->bad_why), "%s", why);
}

static bool is_digit3(const char *s)
{
	return isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
	       isdigit((unsigned char)s[2]);
}

static bool is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static int unescape(const char *s, size_t len, char *out, size_t size, bool *escaped)
{
	size_t o = 0;

	if (escaped)
		*escaped = false;
	for (size_t i = 0; i < len; i++) {
		size_t run = plain_run(s + i, len - i);
		unsigned char c;

		if (run) {
			if (run >= size - o)
				return -E2BIG;
			memmove(out + o, s + i, run); /* out may be s: decoding in place */
			o += run;
			i += run;
			if (i == len)
				break;
		}
		c = s[i];
		if (c == '\\' && len - i > 3 && is_digit3(s + i + 1)) {
			int v = (s[i + 1] - '0') * 100 + (s[i + 2] - '0') * 10 + (s[i + 3] - '0');

			if (v > 255 || is_ctl(v))
				return -EINVAL;
			c = v;
			i += 3;
			if (escaped)
				*escaped = true;
		} else if (c == '\t') {
			c = ' ';
		} else if (is_ctl(c)) {
			return -EINVAL;
		}
		if (o + 1 >= size)
			return -E2BIG;
		out[o++] = c;
	}
	if (!size)
		return -E2BIG;
	out[o] = '\0';
	return (int)o;
}

int dtcp_unescape(const char *s, size_t len, char *out, size_t size)
{
	return unescape(s, len, out, size, NULL);
}

int dtcp_span_decode(const struct dtcp_span *el, char *out, size_t size)
{
	return unescape(el->s, el->len, out, size, NULL);
}

int dtcp_list_split(const char *raw, struct dtcp_span *el, unsigned int max)
{
	const char *p = raw;
	unsigned int n = 0;

	for (;;) {
		const char *c = strchr(p, ','), *e = c ? c : p + strlen(p);

		while (p < e && is_wsp(*p))
			p++;
		while (e > p && is_wsp(e[-1]))
			e--;
		if (p == e)
			return -EINVAL;
		if (n == max)
			return -E2BIG;
		el[n].s = p;
		el[n].len = e - p;
		n++;
		if (!c)
			return (int)n;
		p = c + 1;
	}
}

/*
 * Room for len bytes in the message's arena, or NULL. Never NULL for a
 * datagram within DTCP_MSG_MAX (see struct dtcp_msg): a check, not a limit.
 */
static char *arena(struct dtcp_msg *m, size_t len)
{
	char *p;

	if (len > sizeof(m->buf) - m->buf_used)
		return NULL;
	p = m->buf + m->buf_used;
	m->buf_used += len;
	return p;
}

/* Decode s[0..len) into the arena: NULL (why set) if it cannot be. */
static const char *decode(struct dtcp_msg *m, const char *s, size_t len, bool *escaped,
			  const char **why)
{
	size_t room = sizeof(m->buf) - m->buf_used;
	int n = unescape(s, len, m->buf + m->buf_used, room, escaped);

	if (n < 0) {
		*why = n == -E2BIG ? "message too large" :
		       "escape out of range or of a control character";
		return NULL;
	}
	return arena(m, (size_t)n + 1);
}

static const char *copy(struct dtcp_msg *m, const char *s, size_t len)
{
	char *out = arena(m, len + 1);

	if (out) {
		memcpy(out, s, len);
		out[len] = '\0';
	}
	return out;
}

int dtcp_ver_parse(const char *s)
{
	unsigned long maj, min;
	char *end;

	if (strncasecmp(s, "DTCP/", 5))
		return -1;
	s += 5;
	if (!isdigit((unsigned char)*s))
		return -1;
	maj = strtoul(s, &end, 10);
	if (*end != '.' || !isdigit((unsigned char)end[1]))
		return -1;
	min = strtoul(end + 1, &end, 10);
	if (*end || maj > 999 || min > 999)
		return -1;
	return DTCP_VER((int)maj, (int)min);
}

const char *dtcp_ver_str(int ver, char buf[16])
{
	snprintf(buf, 16, "%d.%d", ver / 1000, ver % 1000);
	return buf;
}

/* Split the start line into at most 3 whitespace-separated tokens (the 3rd takes the rest). */
static int tokens(const char *s, size_t len, const char *tok[3], size_t tlen[3])
{
	size_t i = 0;
	int n = 0;

	while (n < 3) {
		while (i < len && is_wsp(s[i]))
			i++;
		if (i == len)
			break;
		tok[n] = s + i;
		if (n == 2) {
			size_t e = len;

			while (e > i && is_wsp(s[e - 1]))
				e--;
			tlen[n++] = e - i;
			break;
		}
		while (i < len && !is_wsp(s[i]))
			i++;
		tlen[n] = s + i - tok[n];
		n++;
	}
	return n;
}

/* snprintf(dst, size, "%.*s", n, src) without printf: a request's first line. */
static void copy_tok(char *dst, size_t size, const char *src, size_t n)
{
	n = strnlen(src, n < size - 1 ? n : size - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int start_line(struct dtcp_msg *m, const char *s, size_t len)
{
	const char *tok[3];
	size_t tlen[3];
	char v[32];
	int n = tokens(s, len, tok, tlen);

	if (n < 2)
		return -EBADMSG;
	if (tlen[0] > 5 && !strncasecmp(tok[0], "DTCP/", 5)) {
		/* DTCP-Version SP Status-Code SP Reason-Phrase */
		m->kind = DTCP_K_STATUS;
		copy_tok(v, sizeof(v), tok[0], tlen[0]);
		m->version = dtcp_ver_parse(v);
		copy_tok(m->version_text, sizeof(m->version_text), v + 5, 15);
		if (tlen[1] != 3 || !isdigit((unsigned char)tok[1][0]) ||
		    !isdigit((unsigned char)tok[1][1]) || !isdigit((unsigned char)tok[1][2])) {
			set_bad(m, 1, s, len, "bad status code");
			return 0;
		}
		m->code = (tok[1][0] - '0') * 100 + (tok[1][1] - '0') * 10 + (tok[1][2] - '0');
		m->reason = n == 3 ? copy(m, tok[2], tlen[2]) : "";
		if (!m->reason) {
			m->reason = "";
			set_bad(m, 1, s, len, "message too large");
		}
		if (m->version < 0)
			set_bad(m, 1, s, len, "bad DTCP version");
		return 0;
	}
	/* Method SP DTCP-Version */
	if (tlen[1] < 5 || strncasecmp(tok[1], "DTCP/", 5))
		return -EBADMSG;
	m->kind = DTCP_K_REQUEST;
	copy_tok(m->method, sizeof(m->method), tok[0], tlen[0]);
	copy_tok(v, sizeof(v), tok[1], tlen[1]);
	m->version = dtcp_ver_parse(v);
	copy_tok(m->version_text, sizeof(m->version_text), v + 5, 15);
	if (tlen[0] >= sizeof(m->method))
		set_bad(m, 1, s, len, "method too long");
	else if (m->version < 0)
		set_bad(m, 1, s, len, "bad DTCP version");
	else if (n == 3)
		set_bad(m, 1, s, len, "extra text on the request line");
	return 0;
}

/* A decoded name: visible characters, no ':' (it becomes a name again when echoed). */
static bool name_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == ':' || *s == 0x7f)
			return false;
	return true;
}

/*
 * One "Name: value" line. A plain line (line_scan()) decodes to itself:
 * its name and value are copied as they are and its raw value is its
 * value; its name, with no control character, no backslash, no ':' and
 * no whitespace (checked below), needs no name_ok().
 */
static void param_line(struct dtcp_msg *m, unsigned int lineno, const char *s, size_t len,
		       bool plain)
{
	const char *colon = memchr(s, ':', len), *v, *end = s + len;
	const char *name, *value, *raw, *why = NULL;
	size_t nlen, name_len;
	struct dtcp_param *p;
	enum dtcp_pid pid;
	bool escaped;

	if (!colon) {
		set_bad(m, lineno, s, len, "no ':' in parameter line");
		return;
	}
	nlen = colon - s;
	while (nlen && is_wsp(s[nlen - 1]))
		nlen--;
	if (!nlen || is_wsp(s[0])) {
		set_bad(m, lineno, s, len, "bad parameter name");
		return;
	}
	for (size_t i = 0; i < nlen; i++) {
		if (is_wsp(s[i])) {
			set_bad(m, lineno, s, len, "whitespace in parameter name");
			return;
		}
	}
	v = colon + 1;
	while (v < end && is_wsp(*v))
		v++;
	while (end > v && is_wsp(end[-1]))
		end--;
	if (plain) {
		name = copy(m, s, nlen);
		value = name ? copy(m, v, end - v) : NULL;
		escaped = false;
	} else {
		name = decode(m, s, nlen, NULL, &why);
		if (name && !name_ok(name)) {
			set_bad(m, lineno, s, len, "bad character in parameter name");
			return;
		}
		value = name ? decode(m, v, end - v, &escaped, &why) : NULL;
	}
	if (!name || !value) {
		set_bad(m, lineno, s, len, why ? why : "message too large");
		return;
	}
	name_len = strlen(name);
	pid = dtcp_param_id(name, name_len);
	if (pid == DTCP_P_AUTH_INFO) {
		m->auth = value;
		m->signed_len = s - m->raw;
		return;
	}
	if (m->n == DTCP_MAX_PARAMS) {
		set_bad(m, lineno, s, len, "too many parameters");
		return;
	}
	raw = plain ? value : copy(m, v, end - v);
	if (!raw) {
		set_bad(m, lineno, s, len, "message too large");
		return;
	}
	p = &m->p[m->n++];
	p->name = name;
	p->name_len = name_len;
	p->pid = pid;
	if (pid != DTCP_P_UNKNOWN && !m->first[pid])
		m->first[pid] = (uint16_t)m->n;
	p->value = value;
	p->raw = raw;
	p->escaped = escaped;
	p->line = s;
	p->line_len = len;
	p->lineno = lineno;
}

int dtcp_msg_parse(struct dtcp_msg *m, const void *data, size_t len)
{
	const char *s, *end, *nl;
	unsigned int lineno = 0;
	int err, kind;

	m->n = 0;
	memset(m->first, 0, sizeof(m->first));
	m->auth = NULL;
	m->signed_len = 0;
	m->bad_lineno = 0;
	m->bad_line = NULL;
	m->bad_line_len = 0;
	m->bad_why[0] = '\0';
	m->buf_used = 0;
	m->method[0] = '\0';
	m->version = -1;
	m->version_text[0] = '\0';
	m->code = 0;
	m->reason = "";
	m->raw_len = 0;
	if (len > DTCP_MSG_MAX)
		return -EMSGSIZE;
	if (!len)
		return -EBADMSG;
	memcpy(m->raw, data, len);
	m->raw[len] = '\0';
	m->raw_len = len;

	for (s = m->raw, end = m->raw + len; s < end; s = nl + 1) {
		size_t l;

		nl = memchr(s, '\n', end - s);
		if (!nl)
			nl = end; /* a last line without its end: tolerated */
		l = nl - s;
		if (l && s[l - 1] == '\r')
			l--; /* CRLF, or a bare LF (test files) */
		lineno++;
		kind = line_scan(s, l);
		if (lineno == 1) {
			if (kind == LINE_BAD)
				return -EBADMSG;
			err = start_line(m, s, l);
			if (err)
				return err;
			continue;
		}
		if (!l)
			break; /* the blank line ends the message */
		if (kind == LINE_BAD) {
			set_bad(m, lineno, s, l, "control character in line");
			continue;
		}
		param_line(m, lineno, s, l, kind == LINE_PLAIN);
		if (m->auth)
			break; /* Authentication-Info is last: the rest is ignored */
	}
	return 0;
}

static bool name_is(const struct dtcp_param *p, const char *name, size_t len)
{
	return p->name_len == len && !strcasecmp(p->name, name);
}

const struct dtcp_param *dtcp_msg_get(const struct dtcp_msg *m, const char *name)
{
	size_t len = strlen(name);

	for (unsigned int i = 0; i < m->n; i++)
		if (name_is(&m->p[i], name, len))
			return &m->p[i];
	return NULL;
}

unsigned int dtcp_msg_count(const struct dtcp_msg *m, const char *name)
{
	size_t len = strlen(name);
	unsigned int n = 0;

	for (unsigned int i = 0; i < m->n; i++)
		n += name_is(&m->p[i], name, len);
	return n;
}

const char *dtcp_reason(unsigned int code)
{
	switch (code) {
	case 130: return "Sequence Number Rollover";
	case 131: return "NoOp Notification";
	case 200: return "OK";
	case 390: return "Criterion Timeout Delete";
	case 400: return "Bad Request";
	case 430: return "Unknown Content Destination";
	case 431: return "Unknown Criteria ID";
	case 432: return "Improper Filter Specification";
	case 433: return "Improper Timeout Specification";
	case 497: return "Invalid Authentication";
	case 498: return "Invalid Sequence Number";
	case 499: return "Unknown Control Source Identifier";
	case 500: return "Server Internal Error";
	case 501: return "Not Implemented";
	case 505: return "DTCP Version not supported";
	case 550: return "Max Criteria Limit Exceeded";
	case 551: return "Max Content Destination Exceeded";
	case 580: return "Congestion";
	case 598: return "Duplicate Packets Dropped";
	case 599: return "Server Restart";
	case 680: return "Criterion Congestion Delete";
	case 901: return "JTap-Failure";
	}
	return "Unknown";
}

int dtcp_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		if (v > (UINT64_MAX - (*s - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (*s - '0');
	}
	if (v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

void dtcp_time_fmt(uint64_t ms, char buf[32])
{
	/* Every answer has a Timestamp: the second's text is made once. */
	static time_t last = -1;
	static char sec[24];
	static size_t n;
	time_t t = ms / 1000;
	unsigned int frac = ms % 1000;

	if (t != last) {
		struct tm tm;

		localtime_r(&t, &tm);
		n = strftime(sec, sizeof(sec), "%Y-%m-%d %H:%M:%S", &tm);
		last = t;
	}
	memcpy(buf, sec, n);
	buf[n] = '.';
	buf[n + 1] = '0' + frac / 100;
	buf[n + 2] = '0' + frac / 10 % 10;
	buf[n + 3] = '0' + frac % 10;
	buf[n + 4] = 0;
}

int dtcp_time_parse(const char *s, uint64_t *ms)
{
	struct tm tm = { 0 };
	unsigned int frac;
	char tail;
	time_t t;

	if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d.%3u%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &frac, &tail) != 7 ||
	    strlen(s) != 23)
		return -EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*ms = (uint64_t)t * 1000 + frac;
	return 0;
}

size_t dtcp_escape(char *out, size_t size, const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = *s;
		char tmp[5];
		size_t l;

		/*
		 * A backslash before three digits would read as an escape, a
		 * comma as a list delimiter.
		 */
		if (c <= 0x20 || c == 0x7f || c == ',' ||
		    (c == '\\' && isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2]) &&
		     isdigit((unsigned char)s[3]))) {
			snprintf(tmp, sizeof(tmp), "\\%03u", c);
			l = 4;
		} else {
			tmp[0] = c;
			l = 1;
		}
		for (size_t i = 0; i < l; i++, n++)
			if (n + 1 < size)
				out[n] = tmp[i];
	}
	if (size)
		out[n < size ? n : size - 1] = '\0';
	return n;
}

/* ---- printer ---- */

void dtcp_out_init(struct dtcp_out *o, bool upper)
{
	o->len = 0;
	o->upper = upper;
	o->overflow = false;
	o->buf[0] = '\0';
}

static void out_vfmt(struct dtcp_out *o, const char *fmt, va_list ap)
{
	size_t room = sizeof(o->buf) - o->len;
	int n = vsnprintf(o->buf + o->len, room, fmt, ap);

	if (n < 0 || (size_t)n >= room) {
		o->overflow = true;
		o->buf[o->len] = '\0';
		return;
	}
	o->len += n;
}

/* Text as it is: most of an answer, without printf's cost. */
static void out_str(struct dtcp_out *o, const char *s)
{
	dtcp_out_raw(o, s, strlen(s));
}

/* v in decimal, zero-padded to width digits (printf's "%0*" PRIu64). */
static void out_u64(struct dtcp_out *o, uint64_t v, unsigned int width)
{
	char d[20];
	unsigned int n = 0;

	do {
		d[sizeof(d) - ++n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n < width && n < sizeof(d))
		d[sizeof(d) - ++n] = '0';
	dtcp_out_raw(o, d + sizeof(d) - n, n);
}

/* "DTCP/" and the version, as dtcp_ver_str() prints it. */
static void out_ver(struct dtcp_out *o, int ver)
{
	out_str(o, "DTCP/");
	if (ver < 0) {
		char v[16];

		out_str(o, dtcp_ver_str(ver, v));
		return;
	}
	out_u64(o, (unsigned int)ver / 1000, 1);
	out_str(o, ".");
	out_u64(o, (unsigned int)ver % 1000, 1);
}

void dtcp_out_request(struct dtcp_out *o, const char *method, int ver)
{
	out_str(o, method);
	out_str(o, " ");
	out_ver(o, ver);
	out_str(o, "\r\n");
}

void dtcp_out_status(struct dtcp_out *o, int ver, unsigned int code, const char *reason)
{
	out_ver(o, ver);
	out_str(o, " ");
	out_u64(o, code, 3);
	out_str(o, " ");
	out_str(o, reason ? reason : dtcp_reason(code));
	out_str(o, "\r\n");
}

static void out_name(struct dtcp_out *o, const char *name)
{
	char n[63 + 2];		/* at most 63 bytes of the name, then ": " */
	size_t i;

	/* ASCII only, as the protocol's names are: never the C library's locale. */
	for (i = 0; name[i] && i < sizeof(n) - 2; i++)
		n[i] = o->upper && name[i] >= 'a' && name[i] <= 'z' ? name[i] - 'a' + 'A' : name[i];
	n[i++] = ':';
	n[i++] = ' ';
	dtcp_out_raw(o, n, i);
}

void dtcp_out_vparam(struct dtcp_out *o, const char *name, const char *fmt, va_list ap)
{
	out_name(o, name);
	if (!strcmp(fmt, "%s")) {
		const char *v = va_arg(ap, const char *);

		out_str(o, v ? v : "(null)");	/* as printf has it */
	} else if (!strcmp(fmt, "%" PRIu64)) {
		out_u64(o, va_arg(ap, uint64_t), 1);
	} else if (!strcmp(fmt, "%u")) {
		out_u64(o, va_arg(ap, unsigned int), 1);
	} else {
		out_vfmt(o, fmt, ap);
	}
	out_str(o, "\r\n");
}

void dtcp_out_param(struct dtcp_out *o, const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dtcp_out_vparam(o, name, fmt, ap);
	va_end(ap);
}

void dtcp_out_param_str(struct dtcp_out *o, const char *name, const char *value)
{
	size_t need = dtcp_escape(NULL, 0, value);
	char *e = malloc(need + 1);

	if (!e) {
		o->overflow = true;
		return;
	}
	dtcp_escape(e, need + 1, value);
	dtcp_out_param(o, name, "%s", e);
	free(e);
}

void dtcp_out_raw(struct dtcp_out *o, const char *s, size_t len)
{
	if (len >= sizeof(o->buf) - o->len) {
		o->overflow = true;
		return;
	}
	memcpy(o->buf + o->len, s, len);
	o->len += len;
	o->buf[o->len] = '\0';
}

void dtcp_out_sign(struct dtcp_out *o, const void *key, size_t key_len)
{
	char hex[DTCP_HMAC_HEX + 1];

	/* No signature, no message: it must not be sent. */
	if (dtcp_hmac_hex(key, key_len, o->buf, o->len, hex))
		o->overflow = true;
	out_name(o, "Authentication-Info");
	out_str(o, hex);
	out_str(o, "\r\n\r\n");
}

/* ---- parameter names ---- */

/* Known names, with their lengths: most names differ in length. */
static const struct { const char *name; size_t len; } canon[DTCP_P_COUNT] = {
#define DTCP_P_NAME(id, s) [DTCP_P_##id] = { s, sizeof(s) - 1 },
	DTCP_PARAMS(DTCP_P_NAME)
#undef DTCP_P_NAME
};

enum dtcp_pid dtcp_param_id(const char *name, size_t len)
{
	for (unsigned int i = DTCP_P_UNKNOWN + 1; i < DTCP_P_COUNT; i++)
		if (canon[i].len == len && !strcasecmp(canon[i].name, name))
			return (enum dtcp_pid)i;
	return DTCP_P_UNKNOWN;
}

const char *dtcp_pid_name(enum dtcp_pid id)
{
	return id > DTCP_P_UNKNOWN && id < DTCP_P_COUNT ? canon[id].name : NULL;
}

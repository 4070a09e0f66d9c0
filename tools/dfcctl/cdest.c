// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfcctl cdest: content destinations, where copies of matching frames
 * go: their options, bit rates and addresses; add, set, del and show.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dfcctl.h"
#include "ipsec.h"

/* ---- content destinations ---- */

static const struct {
	const char *name;
	uint8_t encap;
} encaps[] = { { "ipip", DFC_ENCAP_IPIP }, { "udp", DFC_ENCAP_UDP } };

static const char *encap_name(uint8_t e)
{
	for (size_t i = 0; i < sizeof(encaps) / sizeof(encaps[0]); i++)
		if (encaps[i].encap == e)
			return encaps[i].name;
	return "unknown";
}

/*
 * A bit rate: digits, optionally a fraction and a k, M, G or T suffix
 * (powers of 1000, case ignored), making a whole number of bit/s up to
 * UINT64_MAX. -1 if it is not one.
 */
static int parse_rate(const char *arg, uint64_t *out)
{
	static const char units[] = "kmgt";
	uint64_t whole = 0, frac = 0, fdiv = 1, mult = 1;
	const char *p = arg, *u;

	if (!arg || *p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (whole > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -1;
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -1;
		/* 12 digits at most: a fraction of a T (10^12) still makes a whole number */
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (fdiv == 1000000000000ULL)
				return -1;
			frac = frac * 10 + (uint64_t)(*p - '0');
			fdiv *= 10;
		}
	}
	if (*p) {
		u = strchr(units, *p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		if (!u || !*u || p[1])
			return -1;
		for (const char *q = units; q <= u; q++)
			mult *= 1000;
	}
	/* the fraction must make whole bits: 1.5k is 1500, 1.0005k is not a rate */
	if ((frac * mult) % fdiv || (mult > 1 && whole > UINT64_MAX / mult))
		return -1;
	whole *= mult;
	if (whole > UINT64_MAX - frac * mult / fdiv)
		return -1;
	*out = whole + frac * mult / fdiv;
	return 0;
}

/* "1.5M", "10G", "999": three significant digits at most, exact when whole. */
void fmt_rate(char *buf, size_t size, uint64_t v)
{
	static const char units[] = "kMGTPE";
	uint64_t div = 1;
	double x;
	char *p;
	int u = -1;

	while (u < 5 && v / div >= 1000) {
		div *= 1000;
		u++;
	}
	if (u < 0) {
		snprintf(buf, size, "%" PRIu64, v);
		return;
	}
	if (v % div == 0) {
		snprintf(buf, size, "%" PRIu64 "%c", v / div, units[u]);
		return;
	}
	x = (double)v / (double)div;
	/* 999.7k rounds to the next unit, not to "1000k" */
	if (x >= 999.5 && u < 5) {
		div *= 1000;
		u++;
		x = (double)v / (double)div;
	}
	snprintf(buf, size, "%.*f", x >= 99.5 ? 0 : x >= 9.95 ? 1 : 2, x);
	/* "1.50" as "1.5", "2.00" as "2" */
	if (strchr(buf, '.')) {
		for (p = buf + strlen(buf) - 1; *p == '0'; p--)
			*p = '\0';
		if (*p == '.')
			*p = '\0';
	}
	snprintf(buf + strlen(buf), size - strlen(buf), "%c", units[u]);
}

/* "KEYWORD BPS" at argv[0..1], as take_num. */
static int take_rate(int *argc, char ***argv, uint64_t *out)
{
	const char *kw = (*argv)[0];

	if (*argc < 2 || parse_rate((*argv)[1], out)) {
		fprintf(stderr, "dfcctl: %s: '%s' is not a bit rate (N, or N with k, M, G, T)\n",
			kw, *argc < 2 ? "" : (*argv)[1]);
		return -1;
	}
	*argc -= 2;
	*argv += 2;
	return 0;
}

/* An IPv4 or IPv6 address into a[16]: its version, or 0. */
static uint8_t parse_addr(const char *arg, uint8_t *a)
{
	memset(a, 0, 16);
	if (inet_pton(AF_INET, arg, a) == 1)
		return 4;
	if (inet_pton(AF_INET6, arg, a) == 1)
		return 6;
	return 0;
}

static void fmt_addr(char *buf, size_t size, uint8_t ipver, const uint8_t *a)
{
	if (!inet_ntop(ipver == 6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)size))
		snprintf(buf, size, "?");
}

/* The ID argument: 1..UINT32_MAX. */
static int take_cdest_id(int *argc, char ***argv, uint32_t *id)
{
	uint64_t v;

	if (!*argc || parse_num((*argv)[0], UINT32_MAX, &v) || !v) {
		fprintf(stderr, "dfcctl: cdest: ID: '%s' is not a number 1..%" PRIu32 "\n",
			*argc ? (*argv)[0] : "", UINT32_MAX);
		return -1;
	}
	*id = (uint32_t)v;
	*argc -= 1;
	*argv += 1;
	return 0;
}

/*
 * The options of 'cdest add' and 'cdest set' into d, each given field's
 * bit into d->set_mask (each at most once). -1 (said why) if one is wrong.
 */
static int cdest_opts(int argc, char **argv, struct dfc_nl_cdest *d, const char *verb)
{
	static const struct {
		const char *kw;
		uint32_t bit;
		uint64_t min, max; /* numbers */
	} num[] = {
		{ "sport", DFC_NL_CDEST_SET_SPORT, 0, UINT16_MAX },
		{ "dport", DFC_NL_CDEST_SET_DPORT, 1, UINT16_MAX },
		{ "ttl", DFC_NL_CDEST_SET_TTL, 1, UINT8_MAX },
		{ "dscp", DFC_NL_CDEST_SET_DSCP, 0, 63 },
	};
	static const struct {
		const char *kw;
		uint32_t bit;
	} rate[] = {
		{ "soft-limit", DFC_NL_CDEST_SET_SOFT_LIMIT },
		{ "soft-clear", DFC_NL_CDEST_SET_SOFT_CLEAR },
		{ "hard-limit", DFC_NL_CDEST_SET_HARD_LIMIT },
		{ "hard-target", DFC_NL_CDEST_SET_HARD_TARGET },
	};
	uint8_t src_ver = 0;

	while (argc) {
		const char *kw = argv[0], *val = argc > 1 ? argv[1] : NULL;
		uint32_t bit = 0;
		size_t i;

		for (i = 0; !bit && i < sizeof(num) / sizeof(num[0]); i++)
			if (!strcmp(kw, num[i].kw))
				bit = num[i].bit;
		for (i = 0; !bit && i < sizeof(rate) / sizeof(rate[0]); i++)
			if (!strcmp(kw, rate[i].kw))
				bit = rate[i].bit;
		if (!bit)
			bit = !strcmp(kw, "address") ? DFC_NL_CDEST_SET_ADDR :
			      !strcmp(kw, "src") ? DFC_NL_CDEST_SET_SRC :
			      !strcmp(kw, "encap") ? DFC_NL_CDEST_SET_ENCAP :
			      !strcmp(kw, "name") ? DFC_NL_CDEST_SET_NAME :
			      !strcmp(kw, "ipsec-required") ? DFC_NL_CDEST_SET_FLAGS :
			      !strcmp(kw, "no-ipsec-required") ? DFC_NL_CDEST_SET_FLAGS : 0;
		if (!bit) {
			fprintf(stderr, "dfcctl: cdest %s: unknown keyword '%s'\n", verb, kw);
			return -1;
		}
		if (d->set_mask & bit) {
			fprintf(stderr, "dfcctl: cdest %s: %s given twice\n", verb,
				bit == DFC_NL_CDEST_SET_FLAGS ? "ipsec-required" : kw);
			return -1;
		}
		d->set_mask |= bit;
		if (bit == DFC_NL_CDEST_SET_FLAGS) {
			d->flags = kw[0] == 'n' ? 0 : DFC_CDEST_F_IPSEC_REQUIRED;
			argc--;
			argv++;
			continue;
		}
		if (!val) {
			fprintf(stderr, "dfcctl: cdest %s: %s needs a value\n", verb, kw);
			return -1;
		}
		for (i = 0; i < sizeof(num) / sizeof(num[0]); i++) {
			uint64_t v;

			if (bit != num[i].bit)
				continue;
			if (take_num(&argc, &argv, num[i].max, &v))
				return -1;
			if (v < num[i].min) {
				fprintf(stderr, "dfcctl: cdest %s: %s: %" PRIu64 "..%" PRIu64 "\n",
					verb, kw, num[i].min, num[i].max);
				return -1;
			}
			if (bit == DFC_NL_CDEST_SET_SPORT)
				d->sport = (uint16_t)v;
			else if (bit == DFC_NL_CDEST_SET_DPORT)
				d->dport = (uint16_t)v;
			else if (bit == DFC_NL_CDEST_SET_TTL)
				d->ttl = (uint8_t)v;
			else
				d->dscp = (uint8_t)v;
			break;
		}
		if (i < sizeof(num) / sizeof(num[0]))
			continue;
		for (i = 0; i < sizeof(rate) / sizeof(rate[0]); i++) {
			if (bit != rate[i].bit)
				continue;
			if (take_rate(&argc, &argv,
				      bit == DFC_NL_CDEST_SET_SOFT_LIMIT ? &d->soft_limit :
				      bit == DFC_NL_CDEST_SET_SOFT_CLEAR ? &d->soft_clear :
				      bit == DFC_NL_CDEST_SET_HARD_LIMIT ? &d->hard_limit :
				      &d->hard_target))
				return -1;
			break;
		}
		if (i < sizeof(rate) / sizeof(rate[0]))
			continue;
		if (bit == DFC_NL_CDEST_SET_ADDR || bit == DFC_NL_CDEST_SET_SRC) {
			uint8_t ver = parse_addr(val, bit == DFC_NL_CDEST_SET_ADDR ? d->addr : d->src);

			if (!ver) {
				fprintf(stderr, "dfcctl: cdest %s: %s: '%s' is not an IPv4 or IPv6 "
					"address\n", verb, kw, val);
				return -1;
			}
			if (bit == DFC_NL_CDEST_SET_ADDR)
				d->ipver = ver;
			else
				src_ver = ver;
			d->has_src |= bit == DFC_NL_CDEST_SET_SRC;
		} else if (bit == DFC_NL_CDEST_SET_ENCAP) {
			for (i = 0; i < sizeof(encaps) / sizeof(encaps[0]); i++)
				if (!strcmp(val, encaps[i].name))
					break;
			if (i == sizeof(encaps) / sizeof(encaps[0])) {
				fprintf(stderr, "dfcctl: cdest %s: encap: ipip or udp\n", verb);
				return -1;
			}
			d->encap = encaps[i].encap;
		} else {
			if (strlen(val) >= sizeof(d->name)) {
				fprintf(stderr, "dfcctl: cdest %s: name: at most %zu characters\n",
					verb, sizeof(d->name) - 1);
				return -1;
			}
			snprintf(d->name, sizeof(d->name), "%s", val);
		}
		argc -= 2;
		argv += 2;
	}
	/* the library encodes both addresses by ipver: a lone src (set) gives it */
	if (src_ver) {
		if (d->ipver && d->ipver != src_ver) {
			fprintf(stderr, "dfcctl: cdest %s: src and address differ in IP version\n",
				verb);
			return -1;
		}
		d->ipver = src_ver;
	}
	return 0;
}

int cmd_cdest_add(struct ctl *c, int argc, char **argv)
{
	struct dfc_nl_cdest d = { 0 };
	char what[64];
	int err;

	if (take_cdest_id(&argc, &argv, &d.id) || cdest_opts(argc, argv, &d, "add"))
		return bad_usage(c);
	if (!(d.set_mask & DFC_NL_CDEST_SET_ADDR)) {
		fprintf(stderr, "dfcctl: cdest add: an address is required\n");
		return bad_usage(c);
	}
	if (!ctl_nl(c))
		return EXIT_FAILURE;
	err = dfc_nl_cdest_add(c->nl, &d);
	snprintf(what, sizeof(what), "cdest add %" PRIu32, d.id);
	return err ? fail(c, what, err) : 0;
}

int cmd_cdest_set(struct ctl *c, int argc, char **argv)
{
	struct dfc_nl_cdest d = { 0 };
	char what[64];
	int err;

	if (take_cdest_id(&argc, &argv, &d.id) || cdest_opts(argc, argv, &d, "set"))
		return bad_usage(c);
	if (!d.set_mask) {
		fprintf(stderr, "dfcctl: cdest set: nothing to change\n");
		return bad_usage(c);
	}
	if (!ctl_nl(c))
		return EXIT_FAILURE;
	err = dfc_nl_cdest_set(c->nl, &d);
	snprintf(what, sizeof(what), "cdest set %" PRIu32, d.id);
	return err ? fail(c, what, err) : 0;
}

int cmd_cdest_del(struct ctl *c, int argc, char **argv)
{
	bool force = false;
	char what[64];
	uint32_t id;
	int err;

	if (take_cdest_id(&argc, &argv, &id))
		return bad_usage(c);
	if (argc && !strcmp(argv[0], "force")) {
		force = true;
		argc--;
	}
	if (argc)
		return bad_usage(c);
	if (!ctl_nl(c))
		return EXIT_FAILURE;
	err = dfc_nl_cdest_del(c->nl, id, force);
	snprintf(what, sizeof(what), "cdest del %" PRIu32, id);
	return err ? fail(c, what, err) : 0;
}

struct cdest_list {
	struct dfc_nl_cdest *v;
	size_t n, cap;
};

static int cdest_list_add(const struct dfc_nl_cdest *d, void *data)
{
	struct cdest_list *l = data;
	struct dfc_nl_cdest *v = vec_grow(l->v, l->n, &l->cap, sizeof(*v));

	if (!v)
		return -ENOMEM;
	l->v = v;
	l->v[l->n++] = *d;
	return 0;
}

static int cdest_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct dfc_nl_cdest *)a)->id, y = ((const struct dfc_nl_cdest *)b)->id;

	return (x > y) - (x < y);
}

/* The drop counters, by cause, in the order of the uapi. */
#define N_DROPS 8
static void cdest_drops(const struct dfc_nl_cdest *d, const char *name[N_DROPS],
			uint64_t v[N_DROPS])
{
	static const char *const names[N_DROPS] = {
		"nomem", "noroute", "noipsec", "toobig", "loop", "ratelimit", "dupcap",
		"txerr",
	};
	const uint64_t val[N_DROPS] = {
		d->stats.nomem, d->stats.noroute, d->stats.noipsec, d->stats.toobig,
		d->stats.loop, d->stats.ratelimit, d->stats.dupcap, d->stats.txerr,
	};

	for (int i = 0; i < N_DROPS; i++) {
		name[i] = names[i];
		v[i] = val[i];
	}
}

/* "addr", or "addr:port" / "[addr]:port" for udp. */
static void cdest_address(char *buf, size_t size, const struct dfc_nl_cdest *d)
{
	char a[INET6_ADDRSTRLEN];

	fmt_addr(a, sizeof(a), d->ipver, d->addr);
	if (d->encap != DFC_ENCAP_UDP)
		snprintf(buf, size, "%s", a);
	else if (d->ipver == 6)
		snprintf(buf, size, "[%s]:%u", a, d->dport);
	else
		snprintf(buf, size, "%s:%u", a, d->dport);
}

static void cdest_flags(char *buf, size_t size, const struct dfc_nl_cdest *d)
{
	bool ipsec = d->flags & DFC_CDEST_F_IPSEC_REQUIRED;

	snprintf(buf, size, "%s%s%s%s%s", ipsec ? "ipsec" : "", ipsec && d->congested ? "," : "",
		 d->congested ? "congested" : "", (ipsec || d->congested) && d->noipsec ? "," : "",
		 d->noipsec ? "noipsec" : "");
	if (!*buf)
		snprintf(buf, size, "-");
}

enum { DC_ID, DC_NAME, DC_ENCAP, DC_ADDR, DC_TTL, DC_FLAGS, DC_CRITS, DC_RATE, DC_COPIES,
	DC_BYTES, DC_IPSEC, DC_DROPS, DC_N };
#define DCELL 256 /* DROPS: every cause, with 20 digits each */

static void cdest_cells(char cell[DC_N][DCELL], const struct dfc_nl_cdest *d,
			const struct dfc_ipsec *x)
{
	const char *name[N_DROPS];
	uint64_t v[N_DROPS], total = 0;
	size_t n;

	snprintf(cell[DC_ID], DCELL, "%" PRIu32, d->id);
	snprintf(cell[DC_NAME], DCELL, "%s", d->name[0] ? d->name : "-");
	snprintf(cell[DC_ENCAP], DCELL, "%s", encap_name(d->encap));
	cdest_address(cell[DC_ADDR], DCELL, d);
	snprintf(cell[DC_TTL], DCELL, "%u", d->ttl);
	cdest_flags(cell[DC_FLAGS], DCELL, d);
	snprintf(cell[DC_CRITS], DCELL, "%" PRIu32, d->crits);
	fmt_rate(cell[DC_RATE], DCELL, d->stats.rate);
	snprintf(cell[DC_COPIES], DCELL, "%" PRIu64, d->stats.copies);
	snprintf(cell[DC_BYTES], DCELL, "%" PRIu64, d->stats.bytes);
	snprintf(cell[DC_IPSEC], DCELL, "%s", dfc_ipsec_summary(x, d));
	/* the total, then the causes that count */
	cdest_drops(d, name, v);
	for (int i = 0; i < N_DROPS; i++)
		total += v[i];
	n = (size_t)snprintf(cell[DC_DROPS], DCELL, "%" PRIu64, total);
	for (int i = 0, k = 0; i < N_DROPS; i++) {
		if (!v[i] || n >= DCELL)
			continue;
		n += (size_t)snprintf(cell[DC_DROPS] + n, DCELL - n, "%s%s %" PRIu64,
				      k++ ? ", " : " (", name[i], v[i]);
	}
	if (total && n < DCELL)
		snprintf(cell[DC_DROPS] + n, DCELL - n, ")");
}

static void cdest_table(const struct cdest_list *l, const struct dfc_ipsec *x)
{
	static const char *const head[DC_N] = {
		"ID", "NAME", "ENCAP", "ADDRESS", "TTL", "FLAGS", "CRITS", "RATE", "COPIES",
		"BYTES", "IPSEC", "DROPS",
	};
	char cell[DC_N][DCELL];
	int width[DC_N];

	for (int c = 0; c < DC_N; c++)
		width[c] = (int)strlen(head[c]);
	for (size_t i = 0; i < l->n; i++) {
		cdest_cells(cell, &l->v[i], x);
		for (int c = 0; c < DC_N; c++)
			if ((int)strlen(cell[c]) > width[c])
				width[c] = (int)strlen(cell[c]);
	}
	for (size_t i = 0; i <= l->n; i++) {
		if (i == 0)
			for (int c = 0; c < DC_N; c++)
				snprintf(cell[c], DCELL, "%s", head[c]);
		else
			cdest_cells(cell, &l->v[i - 1], x);
		for (int c = 0; c < DC_N; c++) {
			bool left = c == DC_NAME || c == DC_ENCAP || c == DC_ADDR ||
				    c == DC_FLAGS || c == DC_IPSEC || c == DC_DROPS;

			/* the last column is not padded */
			if (c == DC_DROPS)
				printf("  %s", cell[c]);
			else
				printf("%s%*s", c ? "  " : "", left ? -width[c] : width[c], cell[c]);
		}
		putchar('\n');
	}
}

/* Below the table of one destination: what its row leaves out. */
static void cdest_details(const struct dfc_nl_cdest *d, const struct dfc_ipsec *x)
{
	char a[INET6_ADDRSTRLEN], r[4][32];
	const uint64_t lim[4] = { d->soft_limit, d->soft_clear, d->hard_limit, d->hard_target };
	const char *name[N_DROPS];
	uint64_t v[N_DROPS];

	if (d->has_src)
		fmt_addr(a, sizeof(a), d->ipver, d->src);
	else
		snprintf(a, sizeof(a), "auto");
	printf("  src %s", a);
	if (d->encap == DFC_ENCAP_UDP)
		printf("  sport %u  dport %u", d->sport, d->dport);
	printf("  dscp %u\n", d->dscp);
	for (int i = 0; i < 4; i++) {
		if (lim[i])
			fmt_rate(r[i], sizeof(r[i]), lim[i]);
		else
			snprintf(r[i], sizeof(r[i]), "none");
	}
	printf("  soft-limit %s  soft-clear %s  hard-limit %s  hard-target %s\n",
	       r[0], r[1], r[2], r[3]);
	cdest_drops(d, name, v);
	printf("  drops:");
	for (int i = 0; i < N_DROPS; i++)
		printf(" %s %" PRIu64, name[i], v[i]);
	putchar('\n');
	dfc_ipsec_print(x, d);
}

static json_t *cdest_json(const struct dfc_nl_cdest *d, const struct dfc_ipsec *x)
{
	char addr[INET6_ADDRSTRLEN], src[INET6_ADDRSTRLEN];
	const char *name[N_DROPS];
	uint64_t v[N_DROPS];
	json_t *o, *st;

	fmt_addr(addr, sizeof(addr), d->ipver, d->addr);
	if (d->has_src)
		fmt_addr(src, sizeof(src), d->ipver, d->src);
	st = json_pack("{s:I, s:I}", "copies", (json_int_t)d->stats.copies,
		       "bytes", (json_int_t)d->stats.bytes);
	cdest_drops(d, name, v);
	for (int i = 0; st && i < N_DROPS; i++)
		if (json_object_set_new(st, name[i], json_integer((json_int_t)v[i]))) {
			json_decref(st);
			st = NULL;
		}
	if (st && json_object_set_new(st, "rate", json_integer((json_int_t)d->stats.rate))) {
		json_decref(st);
		st = NULL;
	}
	if (!st)
		return NULL;
	o = json_pack("{s:I, s:s, s:s, s:I, s:s, s:o, s:I, s:I, s:I, s:I, s:I, s:b, s:I, s:I,"
		      " s:I, s:I, s:I, s:b, s:o, s:o}",
		      "id", (json_int_t)d->id, "name", d->name, "encap", encap_name(d->encap),
		      "ipver", (json_int_t)d->ipver, "address", addr,
		      "src", d->has_src ? json_string(src) : json_null(),
		      "sport", (json_int_t)d->sport, "dport", (json_int_t)d->dport,
		      "ttl", (json_int_t)d->ttl, "dscp", (json_int_t)d->dscp,
		      "flags", (json_int_t)d->flags,
		      "ipsec_required", !!(d->flags & DFC_CDEST_F_IPSEC_REQUIRED),
		      "soft_limit", (json_int_t)d->soft_limit,
		      "soft_clear", (json_int_t)d->soft_clear,
		      "hard_limit", (json_int_t)d->hard_limit,
		      "hard_target", (json_int_t)d->hard_target,
		      "crits", (json_int_t)d->crits, "congested", d->congested != 0,
		      "stats", st, "ipsec", dfc_ipsec_json(x, d));
	return o;
}

int cmd_cdest_show(struct ctl *c, int argc, char **argv)
{
	struct cdest_list l = { 0 };
	struct dfc_ipsec *x = NULL;
	bool one = argc > 0;
	uint32_t id = 0;
	char what[64], why[128];
	int err, ret;

	if (one && take_cdest_id(&argc, &argv, &id))
		return bad_usage(c);
	if (argc)
		return bad_usage(c);
	if (!ctl_nl(c))
		return EXIT_FAILURE;
	if (one) {
		struct dfc_nl_cdest d;

		snprintf(what, sizeof(what), "cdest show %" PRIu32, id);
		err = dfc_nl_cdest_get(c->nl, id, &d);
		if (!err)
			err = cdest_list_add(&d, &l);
	} else {
		snprintf(what, sizeof(what), "cdest show");
		err = dfc_nl_cdest_dump(c->nl, cdest_list_add, &l);
		if (!err && l.n)
			qsort(l.v, l.n, sizeof(*l.v), cdest_cmp);
	}
	/* without the xfrm tables the rest still shows, marked unknown */
	if (!err && !(x = dfc_ipsec_load(why, sizeof(why))))
		fprintf(stderr, "dfcctl: %s: %s\n", what, why);
	if (err) {
		ret = fail(c, what, err);
	} else if (c->json) {
		json_t *arr = json_array();

		for (size_t i = 0; arr && i < l.n; i++)
			if (json_array_append_new(arr, cdest_json(&l.v[i], x))) {
				json_decref(arr);
				arr = NULL;
			}
		ret = print_json(arr);
	} else {
		cdest_table(&l, x);
		if (one && l.n)
			cdest_details(&l.v[0], x);
		ret = 0;
	}
	dfc_ipsec_free(x);
	free(l.v);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dtcpd configuration file. See config.h and docs/dtcpd.md.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <libconfig.h>
#include <openssl/crypto.h>

#include "config.h"
#include "config_ctx.h"
#include "hostcheck.h"
#include "key.h"
#include "msg.h"

/* Short names inside this file for the shared readers (config_ctx.h). */
#define ctx dtcp_cfg_ctx
#define cerr dtcp_cfg_err
#define host_iface dtcp_cfg_host_iface
#define get_str dtcp_cfg_str
#define get_int dtcp_cfg_int
#define get_strs dtcp_cfg_strs
#define only dtcp_cfg_only

void cerr(struct ctx *x, const config_setting_t *s, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	if (x->failed)
		return; /* the first error is the one reported */
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	dtcp_cfg_where(x->err, x->errlen, x, s, what);
	x->failed = true;
}

const char *get_str(struct ctx *x, const config_setting_t *g, const char *name,
			   bool required)
{
	config_setting_t *s = config_setting_get_member(g, name);

	if (!s) {
		if (required)
			cerr(x, g, "'%s' is required here", name);
		return NULL;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cerr(x, s, "'%s' must be a string", name);
		return NULL;
	}
	return config_setting_get_string(s);
}

bool get_int(struct ctx *x, const config_setting_t *g, const char *name,
		    long long min, long long max, long long *out)
{
	config_setting_t *s = config_setting_get_member(g, name);
	long long v;

	if (!s)
		return false;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		cerr(x, s, "'%s' must be an integer", name);
		return false;
	}
	v = config_setting_get_int64(s);
	if (v < min || v > max) {
		cerr(x, s, "'%s' must be in %lld..%lld", name, min, max);
		return false;
	}
	*out = v;
	return true;
}

static bool get_bool(struct ctx *x, const config_setting_t *g, const char *name, bool def)
{
	config_setting_t *s = config_setting_get_member(g, name);

	if (!s)
		return def;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		cerr(x, s, "'%s' must be true or false", name);
		return def;
	}
	return config_setting_get_bool(s);
}

/* A list or array setting of strings: a NULL-free strdup'd vector. */
char **get_strs(struct ctx *x, const config_setting_t *g, const char *name,
		       unsigned int *n)
{
	config_setting_t *s = config_setting_get_member(g, name);
	char **v;
	int len;

	*n = 0;
	if (!s)
		return NULL;
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		/* A single value where a list is expected: Junos writes it so. */
		v = calloc(1, sizeof(*v));
		if (!v || !(v[0] = strdup(config_setting_get_string(s)))) {
			free(v);
			cerr(x, s, "out of memory");
			return NULL;
		}
		*n = 1;
		return v;
	}
	if (!config_setting_is_aggregate(s) || config_setting_is_group(s)) {
		cerr(x, s, "'%s' must be a list of strings", name);
		return NULL;
	}
	len = config_setting_length(s);
	v = calloc(len ? len : 1, sizeof(*v));
	if (!v) {
		cerr(x, s, "out of memory");
		return NULL;
	}
	for (int i = 0; i < len; i++) {
		config_setting_t *e = config_setting_get_elem(s, i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			cerr(x, e, "'%s' must be a list of strings", name);
			break;
		}
		v[i] = strdup(config_setting_get_string(e));
		if (!v[i]) {
			cerr(x, e, "out of memory");
			break;
		}
		(*n)++;
	}
	return v;
}

/* Refuse settings we do not know: a typo must not pass silently. */
void only(struct ctx *x, const config_setting_t *g, const char *const *names)
{
	int len = config_setting_length(g);

	for (int i = 0; i < len; i++) {
		config_setting_t *s = config_setting_get_elem(g, i);
		const char *n = config_setting_name(s);
		const char *const *k;

		for (k = names; *k && strcmp(*k, n); k++)
			;
		if (!*k)
			cerr(x, s, "unknown setting '%s'", n);
	}
}

/* A list of groups (or one group) named name: each passed to fn. */
static int each_group(struct ctx *x, const config_setting_t *g, const char *name,
		      config_setting_t ***out)
{
	config_setting_t *s = config_setting_get_member(g, name);
	int len;

	*out = NULL;
	if (!s)
		return 0;
	if (config_setting_is_group(s)) {
		*out = calloc(1, sizeof(**out));
		if (!*out)
			return 0;
		(*out)[0] = s;
		return 1;
	}
	if (!config_setting_is_list(s)) {
		cerr(x, s, "'%s' must be a list of groups: ( { ... }, ... )", name);
		return 0;
	}
	len = config_setting_length(s);
	*out = calloc(len ? len : 1, sizeof(**out));
	if (!*out)
		return 0;
	for (int i = 0; i < len; i++) {
		(*out)[i] = config_setting_get_elem(s, i);
		if (!config_setting_is_group((*out)[i])) {
			cerr(x, (*out)[i], "'%s' must be a list of groups: ( { ... }, ... )", name);
			return 0;
		}
	}
	return len;
}

static bool id_ok(const char *s)
{
	/* A DSTRING we can print without escapes, and a comma would split lists. */
	if (!*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (*s <= 0x20 || *s >= 0x7f || *s == ',' || *s == '\\')
			return false;
	return true;
}

static void load_cdest(struct ctx *x, struct dtcp_group *grp, struct dtcp_cdest *d,
		       const config_setting_t *g)
{
	static const char *const keys[] = { "id", "address", "ttl", "encapsulation",
		"udp-port", "soft-limit", "soft-limit-clear", "hard-limit",
		"hard-limit-target", "ipsec-required", NULL };
	const char *id = get_str(x, g, "id", true), *a, *enc;
	struct dtcp_prefix p;
	long long v;
	char key[256];

	only(x, g, keys);
	d->group = grp;
	d->line = config_setting_source_line(g);
	if (!id)
		return;
	if (!id_ok(id)) {
		cerr(x, g, "content destination id '%s': 1..64 printable characters, no comma", id);
		return;
	}
	d->id = strdup(id);
	a = get_str(x, g, "address", true);
	if (a) {
		if (dtcp_prefix_parse(a, &p) || p.plen != (p.family == AF_INET ? 32 : 128) ||
		    strchr(a, '/')) {
			cerr(x, config_setting_get_member(g, "address"),
			     "content destination '%s': bad address '%s'", id, a);
		} else if (p.family == AF_INET) {
			struct sockaddr_in *in = (struct sockaddr_in *)&d->addr;

			in->sin_family = AF_INET;
			memcpy(&in->sin_addr, p.addr, 4);
		} else {
			struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&d->addr;

			in6->sin6_family = AF_INET6;
			memcpy(&in6->sin6_addr, p.addr, 16);
		}
		snprintf(d->addr_text, sizeof(d->addr_text), "%s", a);
	}
	d->ttl = 255;
	if (get_int(x, g, "ttl", 0, 255, &v)) {
		if (!v)
			cerr(x, config_setting_get_member(g, "ttl"), "content destination '%s': "
			     "ttl 0 would drop every copy at the first hop: 1..255", id);
		d->ttl = v;
	}
	snprintf(d->encap, sizeof(d->encap), "ipip");
	enc = get_str(x, g, "encapsulation", false);
	if (enc) {
		if (strcmp(enc, "ipip") && strcmp(enc, "udp"))
			cerr(x, config_setting_get_member(g, "encapsulation"),
			     "encapsulation must be \"ipip\" or \"udp\"");
		else
			snprintf(d->encap, sizeof(d->encap), "%s", enc);
	}
	if (get_int(x, g, "udp-port", 1, 65535, &v))
		d->udp_port = v;
	else if (!strcmp(d->encap, "udp"))
		cerr(x, g, "content destination '%s': encapsulation udp needs udp-port", id);
	if (get_int(x, g, "soft-limit", 0, INT64_MAX, &v))
		d->soft_limit = v;
	if (get_int(x, g, "soft-limit-clear", 0, INT64_MAX, &v))
		d->soft_limit_clear = v;
	if (get_int(x, g, "hard-limit", 0, INT64_MAX, &v))
		d->hard_limit = v;
	if (get_int(x, g, "hard-limit-target", 0, INT64_MAX, &v))
		d->hard_limit_target = v;
	if (d->soft_limit_clear > d->soft_limit && d->soft_limit)
		cerr(x, g, "content destination '%s': soft-limit-clear above soft-limit", id);
	if (d->hard_limit_target > d->hard_limit && d->hard_limit)
		cerr(x, g, "content destination '%s': hard-limit-target above hard-limit", id);
	d->ipsec_required = get_bool(x, g, "ipsec-required", false);
	/* The kernel id only has to be stable and unique: the top bit is for request-defined ones. */
	snprintf(key, sizeof(key), "%s/%s", grp->name, id);
	d->kid = dtcp_hash32(key, strlen(key), DTCP_HASH_INIT) & 0x7fffffff;
	if (!d->kid)
		d->kid = 1;
}

static void load_target(struct ctx *x, struct dtcp_target *t, const config_setting_t *g)
{
	static const char *const keys[] = { "address", "port", NULL };
	const char *a = get_str(x, g, "address", true);
	struct dtcp_prefix p;
	long long port = 0;

	only(x, g, keys);
	if (!get_int(x, g, "port", 1, 65535, &port)) {
		cerr(x, g, "notification target: 'port' (1..65535) is required");
		return;
	}
	if (!a)
		return;
	if (dtcp_prefix_parse(a, &p) || strchr(a, '/')) {
		cerr(x, g, "notification target: bad address '%s'", a);
		return;
	}
	memset(&t->ss, 0, sizeof(t->ss));
	if (p.family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&t->ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		memcpy(&in->sin_addr, p.addr, 4);
		t->len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&t->ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		memcpy(&in6->sin6_addr, p.addr, 16);
		t->len = sizeof(*in6);
	}
	snprintf(t->text, sizeof(t->text), "%s port %lld", a, port);
}

/* Permissions of the file s was read from (an @include'd one has its own). */
static mode_t mode_of(const struct ctx *x, const config_setting_t *s)
{
	const char *file = config_setting_source_file(s);
	struct stat st;

	if (!file || !strcmp(file, x->path))
		return x->mode;
	return stat(file, &st) ? 0777 : st.st_mode;
}

static void load_csource(struct ctx *x, struct dtcp_group *grp, struct dtcp_csource *c,
			 const config_setting_t *g)
{
	static const char *const keys[] = { "id", "source-addresses", "service-port",
		"shared-key", "key-file", "notification-targets", "allowed-destinations",
		"minimum-priority", "no-syslog", "mixed-case", "request-destinations",
		"notification-version", "max-criteria", "max-request-destinations", "ssh-logins",
		NULL };
	const char *id = get_str(x, g, "id", true), *key, *kf, *nv;
	config_setting_t **tg;
	char **addrs;
	unsigned int n;
	long long v;
	int nt;

	only(x, g, keys);
	c->group = grp;
	c->line = config_setting_source_line(g);
	if (!id)
		return;
	if (!id_ok(id)) {
		cerr(x, g, "control source id '%s': 1..64 printable characters, no comma", id);
		return;
	}
	c->id = strdup(id);
	c->owner = dtcp_hash32(id, strlen(id), DTCP_HASH_INIT);

	addrs = get_strs(x, g, "source-addresses", &n);
	if (n) {
		c->src_addrs = calloc(n, sizeof(*c->src_addrs));
		for (unsigned int i = 0; c->src_addrs && i < n; i++) {
			if (dtcp_prefix_parse(addrs[i], &c->src_addrs[i]))
				cerr(x, config_setting_get_member(g, "source-addresses"),
				     "control source '%s': bad source address '%s'", id, addrs[i]);
			else
				c->n_src_addrs++;
		}
	}
	for (unsigned int i = 0; i < n; i++)
		free(addrs[i]);
	free(addrs);

	if (get_int(x, g, "service-port", 1, 65535, &v))
		c->port = v;
	else
		cerr(x, g, "control source '%s': 'service-port' (1..65535) is required", id);

	key = get_str(x, g, "shared-key", false);
	kf = get_str(x, g, "key-file", false);
	if (key && kf) {
		cerr(x, g, "control source '%s': shared-key and key-file exclude each other", id);
	} else if (key) {
		c->key_len = strlen(key);
		c->key = (uint8_t *)strdup(key);
		/* libconfig's copy goes with the config_t: wiped now. */
		OPENSSL_cleanse((char *)key, c->key_len);
		if (!c->key_len)
			cerr(x, config_setting_get_member(g, "shared-key"),
			     "control source '%s': empty shared-key (make one with: "
			     DTCP_KEY_GEN ")", id);
		else if (!x->insecure_keys && dtcp_key_mode_open(mode_of(x, g)))
			cerr(x, config_setting_get_member(g, "shared-key"),
			     "control source '%s': shared-key in a file with permissions %04o: too "
			     "open, group or others may read the key (chmod 600 %s, or set "
			     "insecure-key-permissions)", id, (unsigned int)(mode_of(x, g) & 07777),
			     config_setting_source_file(g) ? config_setting_source_file(g) : x->path);
	} else if (kf) {
		char why[256], how[320], cred[DTCP_KEY_PATH_MAX];
		/* A bare name is a credential of the unit (LoadCredential=). */
		const char *file = dtcp_key_path(kf, cred, sizeof(cred));
		int r = dtcp_key_read(file, !x->insecure_keys, &c->key, &c->key_len, why,
				      sizeof(why));

		if (r) {
			/* Missing, empty or too long: say how to make a good one. */
			bool remake = r == -ENOENT || r == -ENODATA || r == -EFBIG;

			if (remake)
				dtcp_key_howto(file, how, sizeof(how));
			cerr(x, config_setting_get_member(g, "key-file"),
			     "control source '%s': key file %s: %s%s%s", id, file, why,
			     remake ? "; create one with: " : "", remake ? how : "");
		}
	} else {
		cerr(x, g, "control source '%s': shared-key or key-file is required", id);
	}

	nt = each_group(x, g, "notification-targets", &tg);
	if (nt > 0) {
		c->targets = calloc(nt, sizeof(*c->targets));
		for (int i = 0; c->targets && i < nt; i++)
			load_target(x, &c->targets[c->n_targets++], tg[i]);
	}
	free(tg);

	c->allowed = get_strs(x, g, "allowed-destinations", &c->n_allowed);
	c->min_prio = 0;
	if (get_int(x, g, "minimum-priority", 0, 254, &v))
		c->min_prio = v;
	c->no_syslog = get_bool(x, g, "no-syslog", false);
	c->mixed_case = get_bool(x, g, "mixed-case", false);
	c->request_dests = get_bool(x, g, "request-destinations", false);
	c->notify_ver = DTCP_VER_CUR;
	nv = get_str(x, g, "notification-version", false);
	if (nv) {
		char buf[32];
		int ver;

		snprintf(buf, sizeof(buf), "DTCP/%s", nv);
		ver = dtcp_ver_parse(buf);
		if (ver < DTCP_VER_LOW || ver > DTCP_VER_HIGH)
			cerr(x, config_setting_get_member(g, "notification-version"),
			     "notification-version must be 0.6, 0.7 or 0.8");
		else
			c->notify_ver = ver;
	}
	c->max_criteria = DTCP_DEFAULT_MAX_CRITERIA;
	if (get_int(x, g, "max-criteria", 0, UINT32_MAX, &v))
		c->max_criteria = v;
	c->max_rdests = DTCP_RDESTS_SHARE;
	if (get_int(x, g, "max-request-destinations", 0, 0x7fffffff, &v))
		c->max_rdests = v;
	dtcp_cfg_load_logins(x, c, g);
}

/* Element i of a list setting (or the setting itself, a single string). */
static config_setting_t *elem(config_setting_t *s, unsigned int i)
{
	return config_setting_type(s) == CONFIG_TYPE_STRING ? s : config_setting_get_elem(s, i);
}

/*
 * An interface is attached to dfc.ko once, for one capture group: listed
 * twice is a mistake. With x->host, each must exist on this host.
 */
static void check_ifaces(struct ctx *x, const struct dtcp_config *cfg, unsigned int gi,
			 config_setting_t *list)
{
	const struct dtcp_group *grp = &cfg->groups[gi];
	char why[128];

	for (unsigned int i = 0; i < grp->n_ifaces && !x->failed; i++) {
		const char *ifn = grp->ifaces[i];
		config_setting_t *e = elem(list, i);

		for (unsigned int gj = 0; gj <= gi && !x->failed; gj++) {
			const struct dtcp_group *h = &cfg->groups[gj];

			for (unsigned int j = 0; j < (gj == gi ? i : h->n_ifaces); j++)
				if (!strcmp(ifn, h->ifaces[j])) {
					cerr(x, e, "interface '%s' listed twice (first in capture group "
					     "'%s', line %u)", ifn, h->name, h->iface_lines[j]);
					break;
				}
		}
		if (x->host) {
			snprintf(why, sizeof(why), "capture group '%s'", grp->name);
			host_iface(x, e, ifn, why);
		}
	}
}

/*
 * Sources that may define destinations and set no max-request-destinations
 * of their own share the server-wide limit evenly: one cannot take it all.
 */
static void share_rdests(struct dtcp_config *cfg)
{
	unsigned int n = 0;

	for (unsigned int g = 0; g < cfg->n_groups; g++)
		for (unsigned int i = 0; i < cfg->groups[g].n_srcs; i++)
			n += cfg->groups[g].srcs[i].request_dests &&
			     cfg->groups[g].srcs[i].max_rdests == DTCP_RDESTS_SHARE;
	for (unsigned int g = 0; g < cfg->n_groups; g++)
		for (unsigned int i = 0; i < cfg->groups[g].n_srcs; i++) {
			struct dtcp_csource *c = &cfg->groups[g].srcs[i];

			if (c->max_rdests != DTCP_RDESTS_SHARE)
				continue;
			c->max_rdests = !c->request_dests ? 0 :
					cfg->max_request_dests / n ? cfg->max_request_dests / n :
					!!cfg->max_request_dests;
		}
}

static void load_group(struct ctx *x, struct dtcp_config *cfg, struct dtcp_group *grp,
		       const config_setting_t *g)
{
	static const char *const keys[] = { "name", "interfaces", "max-duplicates",
		"duplicates-dropped-periodicity", "content-destination", "control-source",
		NULL };
	const char *name = get_str(x, g, "name", true);
	config_setting_t **list;
	long long v;
	int n;

	only(x, g, keys);
	grp->line = config_setting_source_line(g);
	if (!name)
		return;
	grp->name = strdup(name);
	grp->ifaces = get_strs(x, g, "interfaces", &grp->n_ifaces);
	if (grp->n_ifaces) {
		config_setting_t *l = config_setting_get_member(g, "interfaces");

		grp->iface_lines = calloc(grp->n_ifaces, sizeof(*grp->iface_lines));
		for (unsigned int i = 0; grp->iface_lines && i < grp->n_ifaces; i++)
			grp->iface_lines[i] = config_setting_source_line(elem(l, i));
		if (!grp->iface_lines)
			cerr(x, g, "out of memory");
		else
			check_ifaces(x, cfg, grp - cfg->groups, l);
	}
	grp->max_dups = cfg->g_max_dups;
	grp->dup_period = cfg->g_dup_period;
	if (get_int(x, g, "max-duplicates", 1, 64, &v))
		grp->max_dups = v;
	if (get_int(x, g, "duplicates-dropped-periodicity", 1, 3600, &v))
		grp->dup_period = v;

	n = each_group(x, g, "content-destination", &list);
	if (n > 0) {
		grp->dests = calloc(n, sizeof(*grp->dests));
		for (int i = 0; grp->dests && i < n && !x->failed; i++) {
			load_cdest(x, grp, &grp->dests[grp->n_dests++], list[i]);
			for (unsigned int j = 0; j + 1 < grp->n_dests && !x->failed; j++)
				if (grp->dests[j].id && grp->dests[i].id &&
				    !strcmp(grp->dests[j].id, grp->dests[i].id))
					cerr(x, list[i], "content destination '%s' defined twice "
					     "(line %u)", grp->dests[i].id, grp->dests[j].line);
		}
	}
	free(list);

	n = each_group(x, g, "control-source", &list);
	if (n > 0) {
		grp->srcs = calloc(n, sizeof(*grp->srcs));
		for (int i = 0; grp->srcs && i < n && !x->failed; i++) {
			struct dtcp_csource *c = &grp->srcs[grp->n_srcs++];

			load_csource(x, grp, c, list[i]);
			for (unsigned int k = 0; k < c->n_allowed && !x->failed; k++)
				if (!dtcp_config_cdest(grp, c->allowed[k]))
					cerr(x, config_setting_get_member(list[i], "allowed-destinations"),
					     "control source '%s': allowed destination '%s' is not "
					     "a content destination of capture group '%s'",
					     c->id, c->allowed[k], grp->name);
		}
	}
	free(list);
}

struct dtcp_config *dtcp_config_load(const char *path, char *err, size_t errlen)
{
	return dtcp_config_load_host(path, false, err, errlen);
}

struct dtcp_config *dtcp_config_load_host(const char *path, bool host, char *err,
					  size_t errlen)
{
	static const char *const keys[] = { "state-file", "state-sync", "control-socket",
		"listen-addresses", "g-max-duplicates", "g-duplicates-dropped-periodicity",
		"max-request-destinations", "interface-map", "capture-group",
		"insecure-key-permissions", "ssh", NULL };
	struct ctx x = { .path = path, .err = err, .errlen = errlen, .host = host };
	struct dtcp_config *cfg = calloc(1, sizeof(*cfg));
	config_setting_t *root, **list;
	const char *s;
	char **la;
	unsigned int nla;
	long long v;
	struct stat st;
	config_t lc;
	FILE *f;
	int n;

	if (!cfg) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	config_init(&lc);
	/* The file read is the file whose permissions are checked. */
	f = fopen(path, "re");
	if (!f || fstat(fileno(f), &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (f)
			fclose(f);
		config_destroy(&lc);
		free(cfg);
		return NULL;
	}
	x.mode = st.st_mode;
	n = config_read(&lc, f);
	fclose(f);
	if (n != CONFIG_TRUE) {
		if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
			snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : ENOENT));
		else
			snprintf(err, errlen, "%s:%d: %s",
				 config_error_file(&lc) ? config_error_file(&lc) : path,
				 config_error_line(&lc), config_error_text(&lc));
		config_destroy(&lc);
		free(cfg);
		return NULL;
	}
	root = config_root_setting(&lc);
	only(&x, root, keys);
	x.insecure_keys = get_bool(&x, root, "insecure-key-permissions", false);
	cfg->file = strdup(path);
	s = get_str(&x, root, "state-file", false);
	cfg->state_file = strdup(s ? s : "/var/lib/dtcpd/state");
	cfg->state_sync = get_bool(&x, root, "state-sync", true);
	s = get_str(&x, root, "control-socket", false);
	cfg->ctl_socket = strdup(s ? s : "/run/dtcpd/dtcpd.sock");
	if (s && (!*s || strlen(s) >= sizeof(((struct sockaddr_un *)0)->sun_path)))
		cerr(&x, config_setting_get_member(root, "control-socket"), "control-socket: "
		     "a unix socket path is 1..%zu bytes, not %zu",
		     sizeof(((struct sockaddr_un *)0)->sun_path) - 1, strlen(s));
	la = get_strs(&x, root, "listen-addresses", &nla);
	if (nla) {
		cfg->listen = calloc(nla, sizeof(*cfg->listen));
		for (unsigned int i = 0; cfg->listen && i < nla; i++) {
			struct dtcp_prefix *p = &cfg->listen[cfg->n_listen];
			config_setting_t *e = elem(config_setting_get_member(root,
							"listen-addresses"), i);
			char why[128];

			if (dtcp_prefix_parse(la[i], p) || strchr(la[i], '/'))
				cerr(&x, e, "bad listen address '%s'", la[i]);
			else if (x.host && dtcp_host_check_addr(p, why, sizeof(why)))
				cerr(&x, e, "listen address '%s': %s", la[i], why);
			else
				cfg->n_listen++;
		}
	}
	for (unsigned int i = 0; i < nla; i++)
		free(la[i]);
	free(la);
	cfg->g_max_dups = 3;
	cfg->g_dup_period = 30;
	if (get_int(&x, root, "g-max-duplicates", 1, 64, &v))
		cfg->g_max_dups = v;
	if (get_int(&x, root, "g-duplicates-dropped-periodicity", 1, 3600, &v))
		cfg->g_dup_period = v;
	cfg->max_request_dests = 64;
	if (get_int(&x, root, "max-request-destinations", 0, 0x7fffffff, &v))
		cfg->max_request_dests = v;

	dtcp_cfg_load_ssh(&x, cfg, root);

	n = each_group(&x, root, "interface-map", &list);
	if (n > 0) {
		static const char *const mkeys[] = { "name", "interface", NULL };

		cfg->ifmap = calloc(n, sizeof(*cfg->ifmap));
		for (int i = 0; cfg->ifmap && i < n; i++) {
			const char *a = get_str(&x, list[i], "name", true);
			const char *b = get_str(&x, list[i], "interface", true);
			char why[128];

			only(&x, list[i], mkeys);
			if (!a || !b)
				break;
			if (x.host) {
				snprintf(why, sizeof(why), "interface-map '%s'", a);
				host_iface(&x, config_setting_get_member(list[i], "interface"), b,
					   why);
			}
			cfg->ifmap[cfg->n_ifmap].name = strdup(a);
			cfg->ifmap[cfg->n_ifmap++].ifname = strdup(b);
		}
	}
	free(list);

	n = each_group(&x, root, "capture-group", &list);
	if (n > 0) {
		cfg->groups = calloc(n, sizeof(*cfg->groups));
		for (int i = 0; cfg->groups && i < n && !x.failed; i++)
			load_group(&x, cfg, &cfg->groups[cfg->n_groups++], list[i]);
	}
	free(list);

	/* Names and the kernel ids hashed from them: one of each. */
	dtcp_cfg_check_unique(&x, cfg);
	if (!x.failed && !cfg->n_groups)
		cerr(&x, root, "no capture-group: nothing to serve");
	dtcp_cfg_check_ssh(&x, cfg, root);
	share_rdests(cfg);
	config_destroy(&lc);
	if (x.failed) {
		dtcp_config_free(cfg);
		return NULL;
	}
	return cfg;
}

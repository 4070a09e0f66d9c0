# dfc: top-level build. `make` builds dfc.ko and the userspace programs,
# `make check` runs every test (host tier, then guest tier in QEMU),
# `make deps` installs what the build and the tests need (Debian 12, root).

# Guest/target kernel: the newest version with both an image and headers.
# Never the build host's `uname -r` (that kernel cannot load modules).
# An empty KVER from the environment (deps not yet installed when the
# parent make started) is looked up again.
KVER := $(or $(KVER),$(shell sh $(CURDIR)/tools/kver.sh))
KDIR ?= /lib/modules/$(KVER)/build
B := $(CURDIR)/build
# The version: `git describe` in a git checkout, else the VERSION file (a
# tarball, a `git archive` export, the DKMS source). Only this tree's own
# .git counts: a tarball unpacked inside another repository is not it.
DFC_VERSION := $(or $(if $(wildcard $(CURDIR)/.git),$(shell git -C $(CURDIR) describe --always \
	--dirty 2>/dev/null)),$(shell cat $(CURDIR)/VERSION 2>/dev/null),unknown)
export KVER B DFC_VERSION

CC ?= gcc
PKGS := libmnl jansson libconfig libcrypto
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I$(CURDIR)/include/uapi \
	-I$(CURDIR)/lib -DDFC_VERSION=\"$(DFC_VERSION)\" \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS += $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# CPPFLAGS and LDFLAGS (empty by default) reach the programs dtcpd, dfcctl
# and dtcpc: a package build's dpkg-buildflags (hardening) among them.
# Tests run under ASan/UBSan.
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
export CC CFLAGS LDLIBS SAN

# The netlink client: its core (socket, requests), then one file a subject.
# selftests/Makefile lists them too.
LIB_NL_SRC := lib/dfc_nl.c lib/dfc_nl_iface.c lib/dfc_nl_crit.c lib/dfc_nl_cdest.c lib/dfc_nl_event.c lib/dfc_nl_batch.c
LIB_SRC := $(LIB_NL_SRC) lib/dfc_spec.c lib/dfc_spec_expand.c
LIB_HDR := lib/dfc_nl.h lib/dfc_nl_priv.h lib/dfc_spec.h lib/dfc_spec_priv.h include/uapi/linux/dfc.h
KSFT := $(B)/ksft/kselftest_harness.h

.PHONY: all module progs man selftests deps check check-debug debug-module demo style clean \
	bench-classifier fuzz bench-dtcp bench-state bench-datapath bench-copy install uninstall install-dkms uninstall-dkms deb version FORCE
all: module progs man

module:
	@test -n "$(KVER)" || { echo "no kernel with headers found: run 'make deps'" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) DFC_VERSION=$(DFC_VERSION) modules

progs: $(B)/dfcctl $(B)/dtcpd $(B)/dtcpc $(B)/dtcpd-ssh-relay

# dtcpd: the DTCP agent. AGENT_CORE is the protocol core (no sockets),
# shared with the unit test and the fuzzer (selftests/Makefile lists it too).
AGENT_CORE := agent/msg.c agent/auth.c agent/key.c agent/config.c agent/config_query.c \
	agent/config_host.c agent/config_ssh.c agent/config_unique.c agent/hostcheck.c agent/addr.c agent/crit.c \
	agent/blob.c agent/blob_write.c agent/blob_v2.c \
	agent/server.c agent/crittab.c agent/rdest.c agent/reconfig.c agent/reply.c \
	agent/params.c agent/select.c agent/add.c agent/method.c agent/list.c \
	agent/dispatch.c agent/rebuild.c agent/notify.c agent/state.c agent/state_file.c agent/ratelimit.c
AGENT_HDR := $(wildcard agent/*.h) lib/dfc_spec.h $(LIB_HDR)
DTCPD_SRC := $(AGENT_CORE) agent/kernel.c agent/link.c agent/ctl.c agent/udp.c agent/ssh.c \
	agent/log.c agent/main.c $(LIB_SRC)

$(B)/dtcpd: $(DTCPD_SRC) $(AGENT_HDR) $(B)/version
	@mkdir -p $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -Iagent -o $@ $(DTCPD_SRC) $(LDLIBS)

# dtcpc: the DTCP client; main dispatches on the method, one file a part
# (command line, Seq file, request, answers, listen, bench).
DTCPC_SRC := $(addprefix tools/dtcpc/,main.c opts.c seq.c request.c answer.c listen.c bench.c) \
	agent/msg.c agent/auth.c agent/key.c
$(B)/dtcpc: $(DTCPC_SRC) tools/dtcpc/dtcpc.h agent/msg.h agent/auth.h agent/key.h $(B)/version
	@mkdir -p $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -Iagent -o $@ $(DTCPC_SRC) $(LDLIBS)

# sshd's subsystem flow-tap-dtcp: DTCP over SSH relayed to dtcpd (agent/relay.c).
RELAY_SRC := agent/relay.c agent/sshframe.c
$(B)/dtcpd-ssh-relay: $(RELAY_SRC) agent/sshframe.h agent/msg.h $(B)/version
	@mkdir -p $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -Iagent -o $@ $(RELAY_SRC)

# Fuzzing: libFuzzer under ASan/UBSan (clang). A target is a directory
# selftests/fuzz_NAME/ holding fuzz_NAME.c (LLVMFuzzerTestOneInput), its
# seed corpus in corpus/ and, optionally, one *.dict; it is linked with
# FUZZ_LINK (the agent's protocol core, the in-memory kernel, lib/), or
# with FUZZ_LINK_NAME if set (less instrumented code: more execs/s). To
# add a target, add the directory: nothing else is needed.
#   make fuzz             every target FUZZ_SECONDS each (default 60), inputs
#                         up to FUZZ_MAX_LEN (65535: the largest datagram);
#                         what it finds grows build/fuzz/NAME/, the repo's
#                         corpus is only read
#   make fuzz-NAME        one target, the same way
#   make fuzz-ci          every target 60 s from the repo's corpus alone (a
#                         fresh temporary directory takes the new inputs)
# A crash stops make with the input in build/fuzz/NAME-crash-*; add it to
# corpus/ with the fix. Execs/s per target: README.md.
FUZZ_SECONDS ?= 60
FUZZ_MAX_LEN ?= 65535
FUZZ_TARGETS := $(patsubst selftests/fuzz_%/,%,$(sort $(dir $(wildcard selftests/fuzz_*/fuzz_*.c))))
FUZZ_LINK := $(AGENT_CORE) agent/kfake.c $(LIB_SRC)
FUZZ_LINK_msg := agent/msg.c agent/auth.c
# the relay's framer alone (sshd's channel into DTCP messages)
FUZZ_LINK_sshframe := agent/sshframe.c
# the netlink event parser: the library alone
FUZZ_LINK_nlevent := $(LIB_NL_SRC)
# dfcctl's -batch reader: its file alone
FUZZ_LINK_batch := tools/dfcctl/batch_read.c tools/dfcctl/vec.c
FUZZ_CC := clang -O1 -g -std=c11 -D_GNU_SOURCE -Iinclude/uapi -Ilib -Iagent -Itools/dfcctl \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
# target, time, first corpus directory
fuzz_run = $(B)/fuzz_$(1) -max_total_time=$(2) -max_len=$(FUZZ_MAX_LEN) -timeout=10 -entropic_scale_per_exec_time=1 \
	-print_final_stats=1 -artifact_prefix=$(B)/fuzz/$(1)- \
	$(addprefix -dict=,$(firstword $(wildcard selftests/fuzz_$(1)/*.dict))) \
	$(3) selftests/fuzz_$(1)/corpus

.PHONY: fuzz-ci $(addprefix fuzz-,$(FUZZ_TARGETS)) fuzz-build
define fuzz_rule
$(B)/fuzz_$(1): selftests/fuzz_$(1)/fuzz_$(1).c $(or $(FUZZ_LINK_$(1)),$(FUZZ_LINK)) $(AGENT_HDR) \
		$(wildcard tools/dfcctl/*.h)
	@mkdir -p $(B)
	$(FUZZ_CC) -o $$@ $$< $(or $(FUZZ_LINK_$(1)),$(FUZZ_LINK)) $(LDLIBS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))

fuzz-build: $(addprefix $(B)/fuzz_,$(FUZZ_TARGETS))

fuzz: $(addprefix fuzz-,$(FUZZ_TARGETS))

$(addprefix fuzz-,$(FUZZ_TARGETS)): fuzz-%: $(B)/fuzz_%
	@mkdir -p $(B)/fuzz/$*
	$(call fuzz_run,$*,$(FUZZ_SECONDS),$(B)/fuzz/$*)

fuzz-ci: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
		d=$$(mktemp -d) && mkdir -p $(B)/fuzz && \
		$(B)/fuzz_$$t -max_total_time=60 -max_len=$(FUZZ_MAX_LEN) -timeout=10 -entropic_scale_per_exec_time=1 \
			-print_final_stats=1 -artifact_prefix=$(B)/fuzz/$$t- \
			$$(ls selftests/fuzz_$$t/*.dict 2>/dev/null | head -n 1 | sed 's/^/-dict=/') \
			$$d selftests/fuzz_$$t/corpus; rc=$$?; rm -rf $$d; \
		[ $$rc -eq 0 ] || { echo "fuzz-ci: fuzz_$$t failed" >&2; exit 1; }; \
	done

# What an ADD costs dtcpd itself (callgrind, in-memory kernel), then
# authenticated DTCP ADDs into dfc.ko vs nft add element, in one VM run.
$(B)/bench_dtcp_add: tools/bench_dtcp_add.c selftests/dtcp_srv.h selftests/dtcp_req.h $(AGENT_CORE) \
		agent/kfake.c $(LIB_SRC) $(AGENT_HDR)
	@mkdir -p $(B)
	$(CC) $(CFLAGS) -Iagent -Iselftests -o $@ $< $(AGENT_CORE) agent/kfake.c $(LIB_SRC) $(LDLIBS)

# The least any DTCP server does per request (check, sign, answer), set
# beside dtcpd and nft in make bench-dtcp's guest run.
$(B)/bench_dtcp_floor: tools/bench_dtcp_floor.c agent/auth.c agent/msg.c $(AGENT_HDR)
	@mkdir -p $(B)
	$(CC) $(CFLAGS) -Iagent -o $@ $< agent/auth.c agent/msg.c $(LDLIBS)

# What a commit of dtcpd's state file costs, on a disk and a tmpfs
# (BENCH_STATE_BASE=DIR: an older tree's, in turn).
$(B)/bench_state_commit: tools/bench_state_commit.c agent/state.c agent/state_file.c agent/auth.c \
		$(AGENT_HDR)
	@mkdir -p $(B)
	$(CC) $(CFLAGS) -Iagent -o $@ $< agent/state.c agent/state_file.c agent/auth.c $(LDLIBS)

bench-state: $(B)/bench_state_commit
	sh tools/bench-state.sh $(B)/bench_state_commit

# The guest benchmarks (bench-dtcp, bench-datapath, bench-copy) count
# instructions instead of TCG time with VM_ICOUNT=1 (tools/vm-run).
bench-dtcp:
	@sh tools/deps.sh
	$(MAKE) all $(B)/bench_dtcp_add $(B)/bench_dtcp_floor
	sh tools/bench-dtcp-cost.sh $(B)/bench_dtcp_add
	tools/vm-run -t 900 -- sh selftests/dtcp_bench.sh

# dfc.ko's data path beside nftables and tc, in one VM run: pktgen
# (netif_receive) into a dummy port; table, JSON and plots in build/bench/.
BENCH_DP_PROGS := $(B)/cbgen $(B)/bench_dp_uniform $(B)/bench_dp_rules
BENCH_DP_CFLAGS := -O2 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Itools
$(B)/cbgen: tools/cbgen.c tools/cbgen.h
	@mkdir -p $(B)
	$(CC) $(BENCH_DP_CFLAGS) -o $@ $<
$(B)/bench_dp_%: tools/bench_dp_%.c tools/cbgen.h
	@mkdir -p $(B)
	$(CC) $(BENCH_DP_CFLAGS) -o $@ $<

bench-datapath:
	@sh tools/deps.sh
	$(MAKE) all $(BENCH_DP_PROGS)
	sh tools/bench-datapath/host.sh

# What a copy costs: pktgen into a monitored port with and without copies,
# beside tc flower + mirred into an ipip device, in one VM run.
bench-copy:
	@sh tools/deps.sh
	$(MAKE) all
	tools/vm-run -t 1500 -- sh tools/bench-copy.sh

# dfcctl: the operator CLI; main, the command table and the shared helpers
# in dfcctl.c, each object's commands in a file of its own.
DFCCTL_SRC := $(addprefix tools/dfcctl/,dfcctl.c iface.c stats.c limits.c filter_fmt.c \
	filter_show.c filter_add.c filter_del.c cdest.c owner.c monitor.c agent.c \
	ipsec.c ipsec_match.c netns.c batch.c batch_read.c vec.c)
# dtcpd's blob reader (and the DTCP text helpers it needs) decode dtcpd's criteria.
DFCCTL_AGENT := agent/blob.c agent/blob_write.c agent/blob_v2.c agent/msg.c agent/auth.c \
	agent/addr.c
# libnl-xfrm: cdest show's view of the xfrm policies and SAs; dfcctl alone links it.
XFRM_PKG := libnl-xfrm-3.0
$(B)/dfcctl: $(DFCCTL_SRC) $(wildcard tools/dfcctl/*.h) $(LIB_SRC) $(LIB_HDR) $(DFCCTL_AGENT) $(AGENT_HDR) $(B)/version
	@mkdir -p $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(shell pkg-config --cflags $(XFRM_PKG)) $(LDFLAGS) -Iagent -o $@ \
		$(DFCCTL_SRC) $(DFCCTL_AGENT) $(LIB_SRC) $(LDLIBS) $(shell pkg-config --libs $(XFRM_PKG))

# Man pages: scdoc sources in docs/man/NAME.SECTION.scd, roff in build/man/.
MAN_SRC := $(wildcard docs/man/*.scd)
MAN := $(patsubst docs/man/%.scd,$(B)/man/%,$(MAN_SRC))
man: $(MAN)

# The version, for scripts (dkms -v, selftests/install.sh).
version:
	@echo '$(DFC_VERSION)'

# Rewritten only when the version changes: what embeds it is rebuilt then.
$(B)/version: FORCE
	@mkdir -p $(B)
	@echo '$(DFC_VERSION)' | cmp -s - $@ || echo '$(DFC_VERSION)' > $@

$(B)/man/%: docs/man/%.scd $(B)/version
	@mkdir -p $(B)/man
	sed 's|@VERSION@|$(DFC_VERSION)|g' $< | scdoc > $@.tmp && mv $@.tmp $@

# ---- install ----
# `make install` puts the programs, the systemd unit, the man pages, bash
# completion, the docs and an example configuration under PREFIX (default
# /usr/local, where Debian expects what no package installed; PREFIX=/usr
# for a package), the configuration in SYSCONFDIR (/etc) whatever PREFIX.
# DESTDIR stages it all. An existing configuration is never overwritten;
# `make uninstall` removes what install put there but the configuration.
# The unit runs dtcpd as the system user dtcpd (sysusers.d/dtcpd.conf):
# without DESTDIR, install creates it (systemd-sysusers) and gives it the
# configuration it installs; uninstall leaves the user (its files may remain).
# dfc.ko is installed apart: `make install-dkms` (below).
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
DOCDIR ?= $(DATADIR)/doc/dfc
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
# Programs run by another program (sshd runs dtcpd-ssh-relay), not by users.
LIBEXECDIR ?= $(PREFIX)/lib/dfc
SYSCONFDIR ?= /etc
CONF := $(SYSCONFDIR)/dtcpd/dtcpd.conf
# man page NAME.SECTION goes to MANDIR/manSECTION/
man_path = $(MANDIR)/man$(subst .,,$(suffix $(1)))/$(1)
INSTALLED := $(SBINDIR)/dtcpd $(SBINDIR)/dfcctl $(BINDIR)/dtcpc $(LIBEXECDIR)/dtcpd-ssh-relay \
	$(UNITDIR)/dtcpd.service \
	$(SYSUSERSDIR)/dtcpd.conf \
	$(foreach m,$(notdir $(MAN)),$(call man_path,$(m))) \
	$(BASHCOMPDIR)/dfcctl $(BASHCOMPDIR)/dtcpc \
	$(DOCDIR)/README.md $(DOCDIR)/dtcpd.md $(DOCDIR)/dtcp.md $(DOCDIR)/ipsec.md \
	$(DOCDIR)/examples/dtcpd.conf \
	$(DOCDIR)/examples/monitor.swanctl.conf $(DOCDIR)/examples/destination.swanctl.conf

$(B)/dtcpd.service: agent/dtcpd.service.in FORCE
	@mkdir -p $(B)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		-e 's|@DOCDIR@|$(DOCDIR)|g' $< > $@

install: progs man $(B)/dtcpd.service
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(DOCDIR)/examples \
		$(sort $(foreach m,$(notdir $(MAN)),$(DESTDIR)$(dir $(call man_path,$(m)))))
	install -m 0755 $(B)/dtcpd $(B)/dfcctl $(DESTDIR)$(SBINDIR)/
	install -m 0755 $(B)/dtcpc $(DESTDIR)$(BINDIR)/
	install -d $(DESTDIR)$(LIBEXECDIR)
	install -m 0755 $(B)/dtcpd-ssh-relay $(DESTDIR)$(LIBEXECDIR)/
	install -m 0644 $(B)/dtcpd.service $(DESTDIR)$(UNITDIR)/
	install -m 0644 agent/dtcpd.sysusers $(DESTDIR)$(SYSUSERSDIR)/dtcpd.conf
	$(foreach m,$(MAN),install -m 0644 $(m) $(DESTDIR)$(call man_path,$(notdir $(m)));)
	install -m 0644 tools/completion/dfcctl tools/completion/dtcpc $(DESTDIR)$(BASHCOMPDIR)/
	install -m 0644 README.md docs/dtcpd.md docs/dtcp.md docs/ipsec.md $(DESTDIR)$(DOCDIR)/
	install -m 0644 agent/dtcpd.conf.example $(DESTDIR)$(DOCDIR)/examples/dtcpd.conf
	install -m 0644 docs/ipsec/monitor.swanctl.conf docs/ipsec/destination.swanctl.conf \
		$(DESTDIR)$(DOCDIR)/examples/
	@if [ -z "$(DESTDIR)" ] && command -v systemd-sysusers >/dev/null; then \
		echo "systemd-sysusers $(SYSUSERSDIR)/dtcpd.conf"; \
		systemd-sysusers $(SYSUSERSDIR)/dtcpd.conf; \
	fi
	install -d -m 0755 $(DESTDIR)$(dir $(CONF))
	@if [ -e $(DESTDIR)$(CONF) ]; then \
		echo "install: $(DESTDIR)$(CONF) exists: kept (the example: $(DOCDIR)/examples/dtcpd.conf)"; \
	elif [ -z "$(DESTDIR)" ] && id -u dtcpd >/dev/null 2>&1; then \
		echo "install -o dtcpd -g dtcpd -m 0600 agent/dtcpd.conf.example $(CONF)"; \
		install -o dtcpd -g dtcpd -m 0600 agent/dtcpd.conf.example $(CONF); \
	else \
		echo "install -m 0600 agent/dtcpd.conf.example $(DESTDIR)$(CONF) (dtcpd runs as user dtcpd: chown it)"; \
		install -m 0600 agent/dtcpd.conf.example $(DESTDIR)$(CONF); \
	fi

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) $(DESTDIR)$(LIBEXECDIR)
	@echo "uninstall: $(DESTDIR)$(CONF) kept (the operator's)"

# DKMS: the module's sources and dkms.conf in /usr/src/dfc-VERSION, from
# which DKMS builds dfc.ko for each installed kernel (AUTOINSTALL: and for
# the kernels installed later). Without DESTDIR, dkms then adds, builds and
# installs it for the running kernel (DKMS_KVER: another one) if dkms is
# there. uninstall-dkms removes it from DKMS and /usr/src.
DKMS_SRC := /usr/src/dfc-$(DFC_VERSION)
DKMS_KVER ?= $(shell uname -r)

install-dkms:
	install -d $(DESTDIR)$(DKMS_SRC)/kmod $(DESTDIR)$(DKMS_SRC)/include/uapi/linux
	install -m 0644 Kbuild $(DESTDIR)$(DKMS_SRC)/
	install -m 0644 $(wildcard kmod/*.c kmod/*.h) $(DESTDIR)$(DKMS_SRC)/kmod/
	install -m 0644 include/uapi/linux/dfc.h $(DESTDIR)$(DKMS_SRC)/include/uapi/linux/
	echo '$(DFC_VERSION)' > $(DESTDIR)$(DKMS_SRC)/VERSION
	sed 's|@VERSION@|$(DFC_VERSION)|g' dkms.conf > $(DESTDIR)$(DKMS_SRC)/dkms.conf
	@if [ -z "$(DESTDIR)" ] && command -v dkms >/dev/null; then \
		echo "dkms install -m dfc -v $(DFC_VERSION) -k $(DKMS_KVER)"; \
		dkms install -m dfc -v $(DFC_VERSION) -k $(DKMS_KVER); \
	fi

uninstall-dkms:
	@if [ -z "$(DESTDIR)" ] && command -v dkms >/dev/null && \
	    dkms status -m dfc -v $(DFC_VERSION) | grep -q .; then \
		echo "dkms remove -m dfc -v $(DFC_VERSION) --all"; \
		dkms remove -m dfc -v $(DFC_VERSION) --all; \
	fi
	rm -rf $(DESTDIR)$(DKMS_SRC)

# Debian packages dfc-dkms and dfc-tools (debian/, debhelper), built from
# an export of the tree into build/deb/; tools/deb.sh maps the version.
deb:
	sh tools/deb.sh

# kselftest.h, kselftest_harness.h and checkpatch.pl, extracted once from
# Debian's linux-source-6.1 into the build cache.
$(KSFT):
	@mkdir -p $(B)/ksft
	tar -xf /usr/src/linux-source-6.1.tar.xz -C $(B)/ksft --strip-components=4 \
		linux-source-6.1/tools/testing/selftests/kselftest.h \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h
	tar -xf /usr/src/linux-source-6.1.tar.xz -C $(B)/ksft --strip-components=2 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch

selftests: $(KSFT) progs $(BENCH_DP_PROGS) $(B)/bench_dtcp_add $(B)/bench_dtcp_floor \
		$(B)/bench_state_commit
	$(MAKE) -C selftests OUTPUT=$(B)/selftests KSFT_DIR=$(B)/ksft TOP=$(CURDIR)

deps:
	sh tools/deps.sh

# The packages too, and dfc.ko as DKMS builds it from dfc-dkms: the guest
# test selftests/pkg.sh installs and runs them.
check:
	@sh tools/deps.sh
	$(MAKE) all selftests deb
	sh tools/deb-module.sh
	sh tools/check.sh

# The debug kernel (KASAN, lockdep, kmemleak, fault injection; built once per
# machine and cached under /var/cache/dfc, ~25 min cold) and dfc.ko built
# against it in build/debug/, leaving ./dfc.ko (Debian's kernel) alone.
debug-module:
	tools/debug-kernel.sh module >/dev/null

# Every guest test of `make check`, then the DEBUG_PROGS, on the debug kernel.
check-debug:
	@sh tools/deps.sh
	$(MAKE) progs selftests debug-module
	sh tools/check.sh --debug

# Lookup cost of the filter table under callgrind (host build, no VM).
bench-classifier:
	sh tools/bench-classifier.sh

# The lab: control source -> dtcpd -> dfc.ko -> IPsec -> content destination.
demo:
	@sh tools/deps.sh
	$(MAKE) all selftests
	tools/vm-run -t 900 -- sh tools/demo.sh

style: $(KSFT)
	perl $(B)/ksft/checkpatch.pl --no-tree --terse --strict -f kmod/*.c kmod/*.h \
		include/uapi/linux/dfc.h

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(B)

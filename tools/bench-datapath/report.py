#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""make bench-datapath's report: OUTDIR/cases.jsonl (tools/bench-datapath/
run.sh) and OUTDIR/meta.json (host.sh) into OUTDIR/datapath.json (meta,
cases, ratios), OUTDIR/datapath.txt (the tables) and the data files
plot.sh draws (OUTDIR/*.dat).

Rates under TCG are not hardware rates: every figure here is a ratio of
two rates measured in the same boot (to nothing on the port, or engine to
engine), never a bare rate.

    report.py OUTDIR
"""
import json
import sys


def load(outdir):
    cases = []
    with open(f"{outdir}/cases.jsonl") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if line:
                try:
                    cases.append(json.loads(line))
                except ValueError as e:
                    sys.exit(f"report.py: {outdir}/cases.jsonl:{n}: {e}")
    try:
        with open(f"{outdir}/meta.json") as f:
            meta = json.load(f)
    except FileNotFoundError:
        meta = {}
    return meta, cases


def pick(cases, **kw):
    """The cases whose fields equal kw (a missing field is None)."""
    return [c for c in cases if all(c.get(k) == v for k, v in kw.items())]


def one(cases, **kw):
    """The rate of the one case matching kw, or None."""
    m = pick(cases, **kw)
    return m[0]["pps"] if m and m[0]["pps"] > 0 else None


def hmean(rates):
    """Frames per second over rules each given the same number of frames."""
    rates = [r for r in rates if r > 0]
    return len(rates) / sum(1 / r for r in rates) if rates else None


def ratio(a, b):
    """a / b to 4 significant digits: 10k linear rules run at 1/3000 of a bare port."""
    return float(f"{a / b:.4g}") if a and b else None


def fmt(v, nd=3):
    if v is None:
        return "-"
    # Below what nd decimals show, in exponent form rather than as zero.
    return f"{v:.{nd - 1}e}" if 0 < abs(v) < 10 ** -(nd - 1) else f"{v:.{nd}f}"


def uniform(cases, out, dat):
    base = one(cases, section="base", engine="none", threads=1)
    rows = []
    sizes = sorted({c["n"] for c in pick(cases, section="uniform")})
    masks = sorted({c["masks"] for c in pick(cases, section="uniform")})
    out.append("Uniform criteria: rate relative to nothing on the port (same boot), "
               "one pktgen thread, 64-byte frames")
    out.append(f"{'masks':>5} {'n':>7} {'traffic':>8} {'dfc':>7} {'nft set':>8} "
               f"{'nft lin':>8} {'dfc/set':>8} {'dfc/lin':>8} {'probed':>7} {'dfc counted':>11}")
    for m in masks:
        for n in sizes:
            for tr in ("match", "nomatch"):
                q = dict(section="uniform", n=n, masks=m, traffic=tr, threads=1)
                d, s, lin = (one(cases, engine=e, **q) for e in ("dfc", "nft-set", "nft-linear"))
                if d is None and s is None and lin is None:
                    continue
                dc = pick(cases, engine="dfc", **q)
                probed = dc[0]["probed"] if dc else None
                counted = f"{dc[0]['counted']}/{dc[0]['sent']}" if dc and tr == "match" else "-"
                r = dict(masks=m, n=n, traffic=tr, dfc=ratio(d, base), nft_set=ratio(s, base),
                         nft_linear=ratio(lin, base), dfc_over_nft_set=ratio(d, s),
                         dfc_over_nft_linear=ratio(d, lin), dfc_masks_probed=probed)
                rows.append(r)
                out.append(f"{m:>5} {n:>7} {tr:>8} {fmt(r['dfc']):>7} {fmt(r['nft_set']):>8} "
                           f"{fmt(r['nft_linear']):>8} {fmt(r['dfc_over_nft_set']):>8} "
                           f"{fmt(r['dfc_over_nft_linear']):>8} {fmt(probed, 2):>7} {counted:>11}")
        # one data file per mask count: n, then the six relative rates
        lines = []
        for n in sizes:
            v = [n]
            for e in ("dfc", "nft-set", "nft-linear"):
                for tr in ("match", "nomatch"):
                    v.append(ratio(one(cases, section="uniform", engine=e, n=n, masks=m,
                                       traffic=tr, threads=1), base))
            lines.append(" ".join("NaN" if x is None else str(x) for x in v))
        dat[f"uniform-m{m}.dat"] = "# n dfc-match dfc-nomatch set-match set-nomatch " \
            "linear-match linear-nomatch (rate / nothing on the port)\n" + "\n".join(lines)
    return rows


def rulesets(cases, out, dat):
    rows = []
    out.append("")
    out.append("ClassBench-style rule sets: dfc against nft pipapo sets holding the same rules, "
               "one pktgen thread, a new random flow every frame")
    out.append(f"{'profile':>7} {'rules':>6} {'masks':>6} {'probed':>7} {'sets':>5} "
               f"{'dfc/pipapo random':>18} {'dfc/pipapo match':>17} {'dfc matched/sent':>17}")
    keys = []
    for c in pick(cases, section="rulesets"):
        k = (c["profile"], c["n"])
        if k not in keys:
            keys.append(k)
    lines = []
    for p, n in keys:
        q = dict(section="rulesets", profile=p, n=n)
        d = pick(cases, engine="dfc", **q)
        s = pick(cases, engine="nft-pipapo", **q)
        dr = one(d, traffic="random")
        sr = one(s, traffic="random")
        dm = hmean([c["pps"] for c in pick(d, traffic="match")])
        sm = hmean([c["pps"] for c in pick(s, traffic="match")])
        drc = pick(d, traffic="random")
        probed = drc[0]["probed"] if drc else None
        masks = drc[0]["masks"] if drc else None
        sets = s[0]["sets"] if s else None
        dmc = pick(d, traffic="match")
        matched = f"{sum(c['matched'] for c in dmc)}/{sum(c['sent'] for c in dmc)}"
        r = dict(profile=p, rules=n, dfc_masks=masks, dfc_masks_probed=probed, pipapo_sets=sets,
                 dfc_over_pipapo_random=ratio(dr, sr), dfc_over_pipapo_match=ratio(dm, sm))
        rows.append(r)
        out.append(f"{p:>7} {n:>6} {masks if masks is not None else '-':>6} {fmt(probed, 1):>7} "
                   f"{sets if sets is not None else '-':>5} "
                   f"{fmt(r['dfc_over_pipapo_random']):>18} {fmt(r['dfc_over_pipapo_match']):>17} "
                   f"{matched:>17}")
        lines.append(f'"{p} {n // 1000 if n >= 1000 else n}{"k" if n >= 1000 else ""}" '
                     + " ".join("NaN" if x is None else str(x) for x in
                                (r["dfc_over_pipapo_random"], r["dfc_over_pipapo_match"],
                                 probed, sets)))
    dat["rulesets.dat"] = "# set dfc/pipapo-random dfc/pipapo-match dfc-masks-probed " \
        "pipapo-sets\n" + "\n".join(lines)
    return rows


def copies(cases, out, dat):
    rows = []
    out.append("")
    out.append("Copies: rate relative to nothing on the port at the same frame size "
               "(cost = extra time per frame, in units of a bare receive); esp: through "
               "an ESP SA, packets it protected")
    out.append(f"{'engine':>10} {'encap':>7} {'xfrm':>5} {'dests':>5} {'size':>5} {'rate':>7} "
               f"{'cost':>7} {'dfc/tc':>7} {'copies/sent':>14} {'esp':>9}")
    sizes = sorted({c["size"] for c in pick(cases, section="copies")})
    xfrms = [x for x in ("plain", "esp")
             if pick(cases, section="copies", xfrm=x)] or [None]
    kinds = [("dfc", "ipip"), ("dfc", "udp"), ("dfc", "ipip6"),
             ("tc-mirred", "ipip"), ("tc-mirred", "ip6tnl")]
    tc_of = {"ipip": "ipip", "ipip6": "ip6tnl"}
    by_size = {}
    for size in sizes:
        base = one(cases, section="copies", engine="none", size=size, threads=1)
        for x in xfrms:
            for e, enc in kinds:
                for nd in (1, 3):
                    q = dict(section="copies", engine=e, encap=enc, ndest=nd, size=size,
                             threads=1, xfrm=x)
                    c = pick(cases, **q)
                    v = one(c)
                    if v is None:
                        continue
                    rel = ratio(v, base)
                    cost = round(base / v - 1, 3) if base else None
                    vs_tc = None
                    if e == "dfc" and enc in tc_of:
                        vs_tc = ratio(v, one(cases, section="copies", engine="tc-mirred",
                                             encap=tc_of[enc], ndest=nd, size=size,
                                             threads=1, xfrm=x))
                    cs = f"{c[0]['copies']}/{c[0]['sent']}" if e == "dfc" else "-"
                    esp = c[0].get("esp")
                    rows.append(dict(engine=e, encap=enc, xfrm=x or "plain", ndest=nd,
                                     size=size, rate=rel, cost=cost, dfc_over_tc=vs_tc,
                                     esp_packets=esp))
                    by_size.setdefault((e, enc, x, nd), {})[size] = rel
                    out.append(f"{e:>10} {enc:>7} {x or 'plain':>5} {nd:>5} {size:>5} "
                               f"{fmt(rel):>7} {fmt(cost):>7} {fmt(vs_tc):>7} {cs:>14} "
                               f"{'-' if esp is None else esp:>9}")
    lines = []
    for (e, enc, x, nd), v in by_size.items():
        label = f"{'dfc' if e == 'dfc' else 'tc'} {enc}{' esp' if x == 'esp' else ''} x{nd}"
        lines.append(f'"{label}" ' + " ".join("NaN" if v.get(s) is None else str(v[s])
                                             for s in sizes))
    dat["copies.dat"] = "# case " + " ".join(f"size{s}" for s in sizes) + \
        " (rate / nothing on the port)\n" + "\n".join(lines)
    return rows


def cpus(cases, out, dat):
    rows = []
    out.append("")
    out.append("One vs two pktgen threads (CPUs): rate with two over rate with one, same case")
    lines = []
    for c2 in pick(cases, threads=2):
        q = {k: c2.get(k) for k in ("section", "engine", "n", "masks", "traffic", "size",
                                     "encap", "ndest", "xfrm")}
        c1 = pick(cases, threads=1, **q)
        if not c1:
            continue
        label = f"{c2['section']} {c2['engine']}" + (
            f" {c2['n']}/{c2['masks']}m" if c2["section"] == "uniform" else "") + (
            f" {c2['encap']} x{c2['ndest']}" if c2["section"] == "copies" and
            c2["engine"] != "none" else "")
        r = ratio(c2["pps"], c1[0]["pps"])
        rows.append(dict(case=label, two_over_one=r))
        out.append(f"{label:>40} {fmt(r):>7}")
        lines.append(f'"{label}" {r if r is not None else "NaN"}')
    dat["cpus.dat"] = "# case two-threads/one-thread\n" + "\n".join(lines)
    return rows


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: report.py OUTDIR")
    outdir = sys.argv[1]
    meta, cases = load(outdir)
    out, dat = [], {}
    # Under instruction counting (VM_ICOUNT=1), a rate is frames per 10^9 instructions.
    clock = ("TCG, counting instructions: a rate is frames per 10^9 instructions"
             if meta.get("clock") == "icount" else "TCG")
    head = [f"bench-datapath: dfc.ko's data path beside nftables and tc, one guest boot ({clock})."]
    if meta:
        head.append(f"Run {meta.get('date', '?')}, kernel {meta.get('kernel', '?')}, "
                    f"{meta.get('trials', '?')} trials of {meta.get('seconds', '?')} s a case "
                    f"(best kept); host load average {meta.get('load_before', '?')} before, "
                    f"{meta.get('load_after', '?')} after.")
    head.append("Every figure is a ratio of rates from the same boot; TCG rates are not "
                "hardware rates.")
    ratios = {"uniform": uniform(cases, out, dat), "rulesets": rulesets(cases, out, dat),
              "copies": copies(cases, out, dat), "cpus": cpus(cases, out, dat)}
    with open(f"{outdir}/datapath.txt", "w") as f:
        f.write("\n".join(head + [""] + out) + "\n")
    with open(f"{outdir}/datapath.json", "w") as f:
        json.dump({"meta": meta, "cases": cases, "ratios": ratios}, f, indent=1)
        f.write("\n")
    for name, text in dat.items():
        with open(f"{outdir}/{name}", "w") as f:
            f.write(text + "\n")
    print("\n".join(head + [""] + out))


if __name__ == "__main__":
    main()

# SPDX-License-Identifier: GPL-2.0
# One test's TAP output in, nothing out if its top-level results match its
# plan, else why not: a test that dies early must not pass for having
# printed only "ok" lines. Nested (indented) results are the subtests'.
/^1\.\.[0-9]+/ && plan == "" { plan = substr($1, 4) + 0 }
/^(not )?ok [0-9]+/ { n++ }
END {
	if (plan == "")
		printf "no TAP plan (%d results)\n", n
	else if (n != plan)
		printf "%d results against a plan of %d\n", n, plan
}

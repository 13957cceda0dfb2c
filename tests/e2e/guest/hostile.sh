# sw.run=hostile: like victim.sh, but the victim catches SIGBUS and keeps
# touching its poisoned page (50 times, 100 ms apart): a guest that will
# not take no for an answer.  The VM must stay up and the ledger must still
# count one page.
# SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
# Copyright (C) 2026 The Seawall authors
after=$(sed -n 's/.*[ ]sw\.after=\([0-9][0-9]*\).*/\1/p' /proc/cmdline)
sw-bystander --quiet --out /tmp/bystander &
by=$!
sw-victim --after "${after:-20}" --survive --loop 50 --delay-ms 100
rc=$?
echo "seawall-guest: victim exit $rc"
a=$(cut -d' ' -f1 /tmp/bystander)
sleep 3
b=$(cut -d' ' -f1 /tmp/bystander)
echo "seawall-guest: bystander $a -> $b"
kill $by
exit $rc

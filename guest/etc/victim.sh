# sw.run=victim: a bystander ticking into /tmp/bystander, and a victim that
# reads its page after sw.after=S seconds (default 20: time for the host to
# read the victim's gpa from the console and poison it; add sw.write=1 or
# sw.exec=1 for a write or an instruction fetch instead).  Then checks the
# bystander kept going.  Prints, for the host to match:
#   sw-victim: pid P va V gpa 0xG
#   seawall-guest: victim exit N            (135: SIGBUS)
#   seawall-guest: bystander A -> B         (B > A: it kept running)
# SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
# Copyright (C) 2026 The Seawall authors
arg() { sed -n "s/.*[ ]$1=\([0-9A-Za-z_]*\).*/\1/p" /proc/cmdline; }
after=$(arg sw.after)
how=
[ "$(arg sw.write)" = 1 ] && how=--write
[ "$(arg sw.exec)" = 1 ] && how=--exec
sw-bystander --quiet --out /tmp/bystander &
by=$!
sw-victim $how --after "${after:-20}"
rc=$?
echo "seawall-guest: victim exit $rc"
a=$(cut -d' ' -f1 /tmp/bystander)
sleep 3
b=$(cut -d' ' -f1 /tmp/bystander)
echo "seawall-guest: bystander $a -> $b"
kill $by
exit $rc

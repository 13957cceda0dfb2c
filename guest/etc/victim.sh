# sw.run=victim: a bystander ticking into /tmp/bystander, and a victim that
# reads its page after sw.after=S seconds (default 20), long enough for the
# host to read the victim's gpa from the console and poison it.  Ends when
# the victim does; its exit status is the script's (135: SIGBUS).
after=$(sed -n 's/.*[ ]sw\.after=\([0-9][0-9]*\).*/\1/p' /proc/cmdline)
sw-bystander --quiet --out /tmp/bystander &
by=$!
sw-victim --after "${after:-20}"
rc=$?
sleep 1
echo "seawall-guest: victim exit $rc, bystander at tick $(cut -d' ' -f1 /tmp/bystander)"
kill $by
exit $rc

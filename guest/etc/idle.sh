# sw.run=idle: keep the guest up doing nothing but the agent's work.
while :; do sleep 3600; done

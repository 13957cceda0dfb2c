// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * The gate every vCPU thread passes to enter KVM_RUN.  It knows which
 * vCPUs are inside, and keeps them out while the VM is paused (libseawall
 * changing memslots) or stopping.  Kicking a vCPU out is the caller's
 * business (immediate_exit and a signal); the gate only says whom to kick,
 * under its lock, so that a vCPU that is about to enter sees the kick too.
 */
#include "swvm.h"

void swvm_gate_init(struct swvm_gate *g, unsigned int n,
		    void (*kick)(void *arg, unsigned int id, bool on), void *arg)
{
	memset(g, 0, sizeof(*g));
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
	g->n = n < SWVM_MAX_CPUS ? n : SWVM_MAX_CPUS;
	g->kick = kick;
	g->arg = arg;
}

/* Under the lock: kick every vCPU inside KVM_RUN that is not kicked yet. */
static void kick_all(struct swvm_gate *g)
{
	for (unsigned int i = 0; i < g->n; i++) {
		if (g->in_run[i] && !g->kicked[i]) {
			g->kicked[i] = true;
			g->kick(g->arg, i, true);
		}
	}
}

static bool any_in_run(const struct swvm_gate *g)
{
	for (unsigned int i = 0; i < g->n; i++)
		if (g->in_run[i])
			return true;
	return false;
}

bool swvm_gate_enter(struct swvm_gate *g, unsigned int id)
{
	bool ok;

	pthread_mutex_lock(&g->lock);
	while (g->pauses && !g->closed)
		pthread_cond_wait(&g->cond, &g->lock);
	ok = !g->closed && id < g->n;
	if (ok) {
		/* Undo an earlier kick before it can bounce this entry. */
		if (g->kicked[id]) {
			g->kicked[id] = false;
			g->kick(g->arg, id, false);
		}
		g->in_run[id] = true;
	}
	pthread_mutex_unlock(&g->lock);
	return ok;
}

void swvm_gate_leave(struct swvm_gate *g, unsigned int id)
{
	if (id >= g->n)
		return;
	pthread_mutex_lock(&g->lock);
	g->in_run[id] = false;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

void swvm_gate_pause(struct swvm_gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->pauses++;
	kick_all(g);
	while (any_in_run(g))
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

void swvm_gate_resume(struct swvm_gate *g)
{
	pthread_mutex_lock(&g->lock);
	if (g->pauses)
		g->pauses--;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

void swvm_gate_close(struct swvm_gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->closed = true;
	kick_all(g);
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

void swvm_gate_open(struct swvm_gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->closed = false;
	pthread_mutex_unlock(&g->lock);
}

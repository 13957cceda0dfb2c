// SPDX-License-Identifier: GPL-2.0-only
// Copyright (C) 2026 The Seawall authors
/*
 * sw-journal-check: read a libseawall journal as a restarted VMM would
 * (seawall_journal_open read-only, seawall_journal_replay) and check it.
 *
 *   sw-journal-check JOURNAL [GPA-FILE]
 *
 * Prints "records R pages P corrupt C corrupt_bytes B torn T" and, for
 * every guest physical address listed in GPA-FILE (one per line, 0x...),
 * whether the journal holds its page.  Exit 0 when no record is corrupt
 * and every listed page is there, 1 otherwise, 2 on usage or I/O errors.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <seawall.h>

struct pages {
	uint64_t *gpa;
	uint32_t *shift;
	size_t n, cap;
};

static int add_page(const struct seawall_page *pg, void *arg)
{
	struct pages *ps = arg;

	for (size_t i = 0; i < ps->n; i++)
		if (ps->gpa[i] == pg->gpa)
			return 0;
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 64;
		uint64_t *g = realloc(ps->gpa, cap * sizeof(*g));
		uint32_t *s;

		if (!g)
			return -ENOMEM;
		ps->gpa = g;
		s = realloc(ps->shift, cap * sizeof(*s));
		if (!s)
			return -ENOMEM;
		ps->shift = s;
		ps->cap = cap;
	}
	ps->gpa[ps->n] = pg->gpa;
	ps->shift[ps->n] = pg->page_shift ? pg->page_shift : 12;
	ps->n++;
	return 0;
}

static int holds(const struct pages *ps, uint64_t gpa)
{
	for (size_t i = 0; i < ps->n; i++)
		if (gpa >> ps->shift[i] == ps->gpa[i] >> ps->shift[i])
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct seawall_journal_stats st;
	struct pages ps = { 0 };
	struct seawall_journal *j;
	unsigned long listed = 0, missing = 0;
	char line[128];
	FILE *f;
	int r;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: sw-journal-check JOURNAL [GPA-FILE]\n");
		return 2;
	}
	j = seawall_journal_open(argv[1], SEAWALL_JOURNAL_RDONLY);
	if (!j) {
		fprintf(stderr, "sw-journal-check: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	r = seawall_journal_replay(j, add_page, &ps, &st);
	seawall_journal_close(j);
	if (r < 0) {
		fprintf(stderr, "sw-journal-check: replay %s: %s\n", argv[1], strerror(-r));
		return 2;
	}
	printf("records %" PRIu64 " pages %zu corrupt %" PRIu64 " corrupt_bytes %" PRIu64
	       " torn %" PRIu64 "\n", st.records, ps.n, st.corrupt, st.corrupt_bytes,
	       st.torn_bytes);
	if (argc == 3) {
		f = fopen(argv[2], "r");
		if (!f) {
			fprintf(stderr, "sw-journal-check: %s: %s\n", argv[2], strerror(errno));
			return 2;
		}
		while (fgets(line, sizeof(line), f)) {
			char *end;
			uint64_t gpa = strtoull(line, &end, 0);

			if (end == line)
				continue;
			listed++;
			if (!holds(&ps, gpa)) {
				printf("missing 0x%" PRIx64 "\n", gpa);
				missing++;
			}
		}
		fclose(f);
		printf("listed %lu missing %lu\n", listed, missing);
	}
	return st.corrupt || missing ? 1 : 0;
}

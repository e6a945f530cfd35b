/*
 * t.h - the unit test harness. Each test binary is a list of TEST()s run
 * by T_MAIN(). Every test prints one line, "ok NAME" or "FAIL NAME: why";
 * tests/run.sh counts those lines across all binaries and scripts and
 * prints the "N passed, N failed" summary. A binary exits 1 if any failed.
 */
#ifndef T_H
#define T_H

#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <stddef.h>

extern int t_failed_now;	/* set by T_ASSERT in the running test */
extern int t_nfail, t_npass;

#define T_ASSERT(c) do {						\
	if (!(c)) {							\
		printf("FAIL %s: %s:%d: %s\n", t_current, __FILE__,	\
		    __LINE__, #c);					\
		t_failed_now = 1;					\
		return;							\
	}								\
} while (0)

#define T_EQ(a, b) do {							\
	long long t_a_ = (long long)(a), t_b_ = (long long)(b);		\
	if (t_a_ != t_b_) {						\
		printf("FAIL %s: %s:%d: %s == %s (%lld != %lld)\n",	\
		    t_current, __FILE__, __LINE__, #a, #b, t_a_, t_b_);	\
		t_failed_now = 1;					\
		return;							\
	}								\
} while (0)

extern const char *t_current;
void t_run(const char *name, void (*fn)(void));
int t_done(void);

#define T_RUN(fn) t_run(#fn, fn)

#endif

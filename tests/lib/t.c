#include "tests/lib/t.h"

int t_failed_now, t_nfail, t_npass;
const char *t_current;

void
t_run(const char *name, void (*fn)(void))
{
	t_current = name;
	t_failed_now = 0;
	fn();
	if (t_failed_now)
		t_nfail++;
	else {
		t_npass++;
		printf("ok %s\n", name);
	}
	fflush(stdout);
}

int
t_done(void)
{
	return t_nfail ? 1 : 0;
}

/*
 * spin - a stand-in unikernel that burns CPU on every core it can get:
 * N threads (argument, default 4) in a busy loop, for tests/hostile/
 * 41-limits-cpu. Without a cpu limit it takes the whole host.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static void *
burn(void *arg)
{
	volatile unsigned long n = 0;

	(void)arg;
	for (;;)
		n++;
	return NULL;
}

int
main(int argc, char **argv)
{
	int i, n = argc > 1 ? atoi(argv[1]) : 4;
	pthread_t t;

	for (i = 1; i < n; i++)
		pthread_create(&t, NULL, burn, NULL);
	burn(NULL);
	return 0;
}

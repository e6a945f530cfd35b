/*
 * crashnow - a stand-in unikernel that exits with status 1 at once (or,
 * given a number of milliseconds, after that long), without touching
 * its held sockets: a connection waiting for it stays in the backlog,
 * which on old jitsud started it again ~200 times a second
 * (tests/hostile/34).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int
main(int argc, char **argv)
{
	long ms = argc > 1 ? atol(argv[1]) : 0;
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	if (ms > 0)
		nanosleep(&ts, NULL);
	printf("crashnow: exiting\n");
	return 1;
}

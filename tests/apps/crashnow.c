/*
 * crashnow - a stand-in unikernel that exits with status 1 at once,
 * without touching its held sockets: a connection waiting for it stays
 * in the backlog, which on old jitsud started it again ~200 times a
 * second (tests/hostile/34).
 */
#include <stdio.h>

int
main(void)
{
	printf("crashnow: exiting\n");
	return 1;
}

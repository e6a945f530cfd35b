/*
 * deaf - a stand-in unikernel that takes its held sockets and never
 * accepts: connections made to it stay in the listen backlog, which is
 * what jitsu_service_held_connections counts (tests/65-metrics).
 */
#include <unistd.h>

int
main(void)
{
	for (;;)
		pause();
}

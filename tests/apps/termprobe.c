/*
 * termprobe - a stand-in unikernel for stop = shutdown. With the word
 * "obey=MS" it handles SIGTERM: says so, takes MS milliseconds to finish
 * and exits 0. With "ignore" it installs no handler: as pid 1 of its
 * namespace it then does not see SIGTERM at all, and only SIGKILL ends
 * it. Each step is one line on stdout (jitsud's log).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got_term;

static void
on_term(int sig)
{
	(void)sig;
	got_term = 1;
}

static void
say(const char *s)
{
	(void)!write(1, s, strlen(s));
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	struct timespec ts;
	long ms = -1;

	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "obey=", 5) == 0)
			ms = atol(argv[i] + 5);
	if (ms >= 0) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_term;
		sigaction(SIGTERM, &sa, NULL);
	}
	say(ms >= 0 ? "termprobe: up, obeys SIGTERM\n" :
	    "termprobe: up, ignores SIGTERM\n");
	while (!got_term)
		pause();
	say("termprobe: got SIGTERM\n");
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
	say("termprobe: exiting after the grace it needed\n");
	return 0;
}

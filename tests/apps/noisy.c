/*
 * noisy - a stand-in unikernel whose output attacks the operator's
 * terminal and jitsud's log (tests/hostile/44-tenant-output): lines with
 * ESC sequences (clear screen, retitle the terminal), CR (overwrite what
 * the line said) and BEL, then a flood of N lines (argument, default
 * 100000), then "noisy: done" and exit 0.
 */
#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
	long i, n = argc > 1 ? atol(argv[1]) : 100000;

	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	printf("noisy: \x1b[2J\x1b]0;owned\x07" "clear and retitle\n");
	printf("noisy: all is well\rnoisy: FAKE jitsud line\n");
	printf("noisy: bell\x07\x07 and backslash \\x1b\n");
	fflush(stdout);
	for (i = 0; i < n; i++)
		printf("noisy: flood %ld\n", i);
	printf("noisy: done\n");
	fflush(stdout);
	return 0;
}

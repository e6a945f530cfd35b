/*
 * badcall - a stand-in unikernel that misbehaves on purpose: it prints a
 * line, then makes a system call no uk app's seccomp allowlist permits
 * (ptrace). Under `sandbox = strict` the kernel kills it with SIGSYS and
 * jitsud must report that, and nothing else, as the failure.
 */
#include <stdio.h>
#include <sys/ptrace.h>
#include <unistd.h>

int
main(void)
{
	printf("badcall: about to call ptrace\n");
	fflush(stdout);
	ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	printf("badcall: still alive\n");
	fflush(stdout);
	pause();
	return 0;
}

/*
 * test_uklib.c - uk/lib, the code every uk target shares: the formatter
 * (checked against glibc's printf on the formats uk.h promises), the
 * streaming uk_printf, the mem/str helpers and uk_strtoul.
 */
#include <limits.h>
#include <stdlib.h>

#include "tests/lib/t.h"
#include "uk/include/uk.h"

/* Same output and return value as libc for the same format and args. */
#define SAME(...) do {							\
	char	 a_[256], b_[256];					\
	int	 ra_ = uk_snprintf(a_, sizeof(a_), __VA_ARGS__);	\
	int	 rb_ = snprintf(b_, sizeof(b_), __VA_ARGS__);		\
	if (ra_ != rb_ || strcmp(a_, b_) != 0) {			\
		printf("FAIL %s: %s: uk %d \"%s\", libc %d \"%s\"\n",	\
		    t_current, #__VA_ARGS__, ra_, a_, rb_, b_);		\
		t_failed_now = 1;					\
		return;							\
	}								\
} while (0)

static void
fmt_integers(void)
{
	SAME("%d %i %u", 0, -1, 0u);
	SAME("%d|%d", INT_MIN, INT_MAX);
	SAME("%ld|%ld|%lu", LONG_MIN, LONG_MAX, ULONG_MAX);
	SAME("%lld|%llu", LLONG_MIN, ULLONG_MAX);
	SAME("%x %X %lx %llx", 0xdeadbeefu, 0xabcu, 0x1234567890abcdefUL,
	    0xffffffffffffffffULL);
	SAME("%zu %zd %zd", (size_t)-1, (ssize_t)-5, (ssize_t)SSIZE_MAX);
	SAME("%o %hhu %hd", 8u, (unsigned char)300, (short)-2);
}

static void
fmt_width_flags(void)
{
	SAME("[%5d][%-5d][%05d]", 42, 42, 42);
	SAME("[%5d][%-5d][%05d]", -42, -42, -42);
	SAME("[%08x][%-8x][%2x]", 0xbeefu, 0xbeefu, 0xbeefu);
	SAME("[%*d][%-*d][%*d]", 6, 7, 6, 7, -6, 7);
	SAME("[%10s][%-10s][%3s]", "ab", "ab", "abcdef");
	SAME("[%.3s][%.*s][%.0s]", "abcdef", 2, "xyz", "q");
	SAME("[%5c][%-3c]", 'z', 'y');
	SAME("[%.3d][%6.3d][%.0d][%-6.2x]", 7, -7, 0, 0xau);
	SAME("[%020llu]", 12345ULL);
}

static void
fmt_misc(void)
{
	int	 x;

	SAME("100%% %s", "sure");
	SAME("%p", (void *)&x);
	SAME("%p", (void *)0x1000);
	SAME("%s", "");
	SAME("no conversions at all");
}

static void
fmt_truncation(void)
{
	char	 b[8];

	memset(b, 'X', sizeof(b));
	T_EQ(uk_snprintf(b, sizeof(b), "%s", "0123456789"), 10);
	T_ASSERT(strcmp(b, "0123456") == 0);
	T_EQ(uk_snprintf(b, 5, "%d", 12345), 5);
	T_ASSERT(strcmp(b, "1234") == 0);
	T_EQ(uk_snprintf(NULL, 0, "%d-%s", 7, "abc"), 5);
	b[0] = 'X';
	T_EQ(uk_snprintf(b, 1, "abc"), 3);
	T_EQ(b[0], '\0');
	T_EQ(uk_snprintf(b, sizeof(b), "%s", "1234567"), 7);
	T_ASSERT(strcmp(b, "1234567") == 0);
}

/* No format attribute: lets the test pass what the compiler would
 * rightly refuse. */
static int
fmt_raw(char *b, size_t n, const char *fmt, ...)
{
	va_list	 ap;
	int	 r;

	va_start(ap, fmt);
	r = uk_vsnprintf(b, n, fmt, ap);
	va_end(ap);
	return r;
}

static void
fmt_odd_input(void)
{
	char	 b[64];
	int	 n;

	/* Unknown conversions are shown, not swallowed. */
	n = fmt_raw(b, sizeof(b), "a%qb");
	T_ASSERT(strcmp(b, "a%qb") == 0);
	T_EQ(n, 4);
	n = fmt_raw(b, sizeof(b), "end%");
	T_ASSERT(strcmp(b, "end%") == 0);
	T_EQ(n, 4);
	fmt_raw(b, sizeof(b), "%s", (char *)NULL);
	T_ASSERT(strcmp(b, "(null)") == 0);
}

/* uk_printf goes to uk_console_write, which this test provides. */
static char	 console[4096];
static size_t	 console_len;
static int	 console_calls;

void
uk_console_write(const char *buf, size_t len)
{
	if (console_len + len <= sizeof(console)) {
		memcpy(console + console_len, buf, len);
		console_len += len;
	}
	console_calls++;
}

static void
printf_streams_long_output(void)
{
	char	 big[1500], want[2000];

	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	console_len = 0;
	console_calls = 0;
	uk_printf("<%s>%d\n", big, 42);
	snprintf(want, sizeof(want), "<%s>%d\n", big, 42);
	T_EQ(console_len, strlen(want));
	T_ASSERT(memcmp(console, want, console_len) == 0);
	/* Buffered: a handful of writes, not one per piece. */
	T_ASSERT(console_calls <= 4);

	console_len = 0;
	console_calls = 0;
	uk_printf("a%db%sc\n", 1, "x");
	T_EQ(console_calls, 1);
	T_ASSERT(console_len == 6 && memcmp(console, "a1bxc\n", 6) == 0);
}

static void
mem_helpers(void)
{
	char	 a[32], b[32];

	uk_memset(a, 'a', sizeof(a));
	T_EQ(a[0], 'a');
	T_EQ(a[31], 'a');
	T_ASSERT(uk_memcpy(b, "hello", 6) == b);
	T_ASSERT(strcmp(b, "hello") == 0);
	T_EQ(uk_memcmp("abc", "abc", 3), 0);
	T_ASSERT(uk_memcmp("abc", "abd", 3) < 0);
	T_ASSERT(uk_memcmp("\xff", "\x01", 1) > 0);	/* unsigned bytes */
	T_EQ(uk_memcmp("x", "y", 0), 0);
	T_EQ(uk_strlen(""), 0);
	T_EQ(uk_strlen("hello"), 5);
	T_EQ(uk_strncmp("port=80", "port=", 5), 0);
	T_ASSERT(uk_strncmp("abc", "abd", 3) < 0);
	T_ASSERT(uk_strncmp("ab", "abc", 3) < 0);
	T_EQ(uk_strncmp("abc", "abd", 2), 0);
	T_EQ(uk_strncmp("same", "same", 100), 0);
	T_ASSERT(uk_strncmp("\xe9", "a", 1) > 0);
}

static void
strtoul_parses(void)
{
	char	*end;

	T_EQ(uk_strtoul("8080", &end, 10), 8080);
	T_EQ(*end, '\0');
	T_EQ(uk_strtoul("12ab", &end, 10), 12);
	T_EQ(*end, 'a');
	T_EQ(uk_strtoul("ff", NULL, 16), 255);
	T_EQ(uk_strtoul("0x1F", &end, 16), 31);
	T_EQ(uk_strtoul("0x1F", &end, 0), 31);
	T_EQ(uk_strtoul("017", &end, 0), 17);	/* no octal surprise */
	T_EQ(uk_strtoul("0x", &end, 0), 0);	/* "0", then stop at x */
	T_EQ(*end, 'x');
	T_EQ(uk_strtoul("-1", &end, 10), 0);	/* no sign */
	T_ASSERT(strcmp(end, "-1") == 0);
	T_EQ(uk_strtoul("", &end, 10), 0);
	T_ASSERT(uk_strtoul("18446744073709551615", NULL, 10) == ULONG_MAX);
	T_ASSERT(uk_strtoul("18446744073709551616", &end, 10) == ULONG_MAX);
	T_EQ(*end, '\0');
	T_ASSERT(uk_strtoul("99999999999999999999999", NULL, 10) == ULONG_MAX);
	T_EQ(uk_strtoul("12", &end, 1), 0);	/* bad base */
	T_EQ(uk_strtoul("zz", NULL, 36), 35 * 36 + 35);
}

int
main(void)
{
	T_RUN(fmt_integers);
	T_RUN(fmt_width_flags);
	T_RUN(fmt_misc);
	T_RUN(fmt_truncation);
	T_RUN(fmt_odd_input);
	T_RUN(printf_streams_long_output);
	T_RUN(mem_helpers);
	T_RUN(strtoul_parses);
	return t_done();
}

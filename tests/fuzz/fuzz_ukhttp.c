/*
 * fuzz_ukhttp.c - the hello app's request parser and response builder on
 * arbitrary bytes: no crash, no read outside the input, and every
 * answer's head fits its buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "uk/apps/hello/http.h"
#include "uk/apps/hello/response.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

void
uk_console_write(const char *buf, size_t len)
{
	(void)buf;
	(void)len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_req	 r;
	struct response	 res;
	enum http_status st;
	char		*copy;

	if (size > HTTP_HEAD_MAX)
		size = HTTP_HEAD_MAX;
	/* An exact-size heap copy so ASan sees any overread. */
	if ((copy = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	st = http_parse(copy, size, &r);
	if (st == HTTP_OK) {
		if (r.head_len > size || r.target < copy ||
		    r.target + r.target_len > copy + size)
			abort();
		response_for(&r, &res);
	} else if (st != HTTP_PARTIAL)
		response_error(st, &res);
	else
		res.head_len = 0;
	if (res.head_len >= sizeof(res.head))
		abort();
	free(copy);
	return 0;
}

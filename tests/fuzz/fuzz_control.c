/* libFuzzer: the control protocol's packet check and record reader. */
#include <stddef.h>
#include <stdint.h>

#include "control/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_hdr h;
	const char *p, *e;
	char k[64], v[256];

	if (ctl_unpack(data, size, &h, &p) == 0) {
		ctl_name_ok(p, h.len);
		for (e = p + h.len; ctl_rec_next(&p, e, k, sizeof(k), v, sizeof(v)); )
			;
	}
	p = (const char *)data;
	for (e = p + size; ctl_rec_next(&p, e, k, sizeof(k), v, sizeof(v)); )
		;
	return 0;
}

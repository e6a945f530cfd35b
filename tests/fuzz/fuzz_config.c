/* libFuzzer: the config file parser and checks, and the SPEC parser. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *c;
	char *text;

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if ((c = config_new()) != NULL) {
		config_parse_string(c, "fuzz.conf", text);
		/* the same bytes as a SPEC, on the same config */
		config_parse_spec(c, text, 1);
		config_check(c);
		config_free(c);
	}
	free(text);
	return 0;
}

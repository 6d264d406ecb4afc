/*
 * fuzz_yaml.c: the YAML loaders: the configuration file (config_load, by
 * path) and a colour theme (theme_load_string, and theme_parse_color on
 * the raw text). Input byte 0 picks which. Neither needs a terminal.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ui/theme.h"
#include "util/config.h"

#include "fuzz_common.h"

static struct fuzz_file yf;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_file_init(&yf, "fuzz-yaml");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		struct gw_config cfg;

		fuzz_file_set(&yf, data + 1, size - 1);
		memset(&cfg, 0, sizeof cfg);
		memset(err, 'x', sizeof err);
		if (config_load(&cfg, yf.path, err, sizeof err) == 0) {
			FUZZ_TERMINATED(cfg.theme);
			FUZZ_ASSERT(cfg.nproxy_ports <= 16);
			FUZZ_ASSERT(cfg.nstatuses <= 16);
		} else {
			FUZZ_TERMINATED(err);
		}
	} else {
		struct theme *t = malloc(sizeof *t);
		char *s;
		int16_t col;

		if (t == NULL)
			abort();
		memset(err, 'x', sizeof err);
		if (theme_load_string((const char *)data + 1, size - 1,
		    "fuzz.yaml", t, err, sizeof err) != 0)
			FUZZ_TERMINATED(err);
		FUZZ_TERMINATED(t->name);
		for (int i = 0; i < TE_COUNT; i++) {
			FUZZ_ASSERT(t->st[i].fg >= -1 && t->st[i].fg <= 255);
			FUZZ_ASSERT(t->st[i].bg >= -1 && t->st[i].bg <= 255);
			(void)theme_degrade(t->st[i].fg, 8);
			(void)theme_degrade(t->st[i].bg, 16);
		}
		s = fuzz_strdup(data + 1, size - 1);
		if (theme_parse_color(s, &col))
			FUZZ_ASSERT(col >= -1 && col <= 255);
		(void)theme_elem_by_name(s);
		free(s);
		free(t);
	}
	return 0;
}

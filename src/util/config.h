/*
 * config.h: the optional YAML configuration file
 * ($XDG_CONFIG_HOME/gw502tui/config.yaml): proxy ports, error statuses,
 * upstream timeout, theme and whether the TUI takes the mouse (mouse:
 * false turns it off). The command line overrides it.
 */
#ifndef GW_CONFIG_H
#define GW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_THEME_LEN 256	/* a theme name or path, with its NUL */

struct gw_config {
	char theme[CONFIG_THEME_LEN];	/* "" when unset */
	uint16_t proxy_ports[16];
	size_t nproxy_ports;		/* 0 when unset */
	uint16_t statuses[16];
	size_t nstatuses;		/* 0 when unset */
	int64_t timeout_s;		/* 0 when unset */
	bool mouse_off;			/* "mouse: false": no mouse in the TUI */
};

#define CONFIG_INVALID (-1)	/* err: "FILE:LINE:COL: reason" */
#define CONFIG_UNREADABLE (-2)	/* err: "FILE: reason" */

/*
 * Loads path, or when NULL the default location if that file exists.
 * 0: loaded or absent; else CONFIG_INVALID or CONFIG_UNREADABLE.
 */
int config_load(struct gw_config *cfg, const char *path, char *err,
    size_t errlen);

#endif

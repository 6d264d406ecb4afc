/*
 * datadir.h: where gw502tui's data files (themes, …) are looked for, so an
 * installed, relocated (dpkg --instdir, a copied prefix) or just-built
 * binary finds them whatever the current directory.
 */
#ifndef GW_DATADIR_H
#define GW_DATADIR_H

#include <stddef.h>

#ifndef GW_DATADIR
#define GW_DATADIR "/usr/local/share/gw502tui"
#endif

#define DATADIR_MAX 5		/* folders in the search path, at most */
#define DATADIR_PATH_MAX 1024

/*
 * The folders that may hold data of kind sub ("themes"), in the order they
 * are searched, without repeats:
 *   1. $XDG_CONFIG_HOME/gw502tui/SUB (~/.config/…; the user's own),
 *   2. $XDG_DATA_HOME/gw502tui/SUB (~/.local/share/…),
 *   3. GW_DATADIR/SUB, the prefix compiled in,
 *   4. PREFIX/share/gw502tui/SUB, PREFIX being the folder above the one
 *      holding the running executable (/proc/self/exe),
 *   5. the source tree's SUB next to the build folder holding the
 *      executable (build/gw502tui → SUB), when that folder exists.
 * A folder whose name would not fit is left out. Returns how many.
 */
size_t datadir_dirs(const char *sub, char (*dirs)[DATADIR_PATH_MAX],
    size_t max);
/* The same folders as "A, B, C" for a message (cut only when outlen is). */
void datadir_describe(const char *sub, char *out, size_t outlen);

#endif

/*
 * safefile.h: new files that appear whole or not at all. Data goes to a
 * temporary file in the destination's folder, which then gets its name by
 * link(2) (fails if anything, even a dangling symlink, has the name: nothing
 * is overwritten or followed) or, when forced, by rename(2).
 */
#ifndef GW_SAFEFILE_H
#define GW_SAFEFILE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Creates the temporary file for final_path (mode 0600) and returns its
 * descriptor, its name in tmp; -1 with one line in err.
 */
int safefile_temp(const char *final_path, char *tmp, size_t tmplen,
    char *err, size_t errlen);
/* Gives tmp its final name; 0, or -1 with err (tmp is left for the caller). */
int safefile_commit(const char *tmp, const char *final_path, bool force,
    char *err, size_t errlen);
/* Would safefile_commit refuse because final_path exists? */
bool safefile_exists(const char *final_path);

#endif

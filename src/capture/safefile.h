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
 * descriptor; -1 with one line in err. anonymous: where the file system
 * allows, the file has no name at all until the commit (O_TMPFILE; tmp is
 * then ""), so a process killed on the way leaves nothing; else its name
 * is in tmp.
 */
int safefile_temp(const char *final_path, bool anonymous, char *tmp,
    size_t tmplen, char *err, size_t errlen);
/*
 * Gives the file (fd, still open; tmp from safefile_temp) its final name;
 * 0, or -1 with err (the file is left for safefile_discard). Forced, only
 * a regular file or a symbolic link to one is replaced.
 */
int safefile_commit(int fd, const char *tmp, const char *final_path,
    bool force, char *err, size_t errlen);
/* Removes the temporary file of a failed or abandoned write. */
void safefile_discard(const char *tmp);
/* Would safefile_commit refuse because final_path exists? */
bool safefile_exists(const char *final_path);
/*
 * May --force replace final_path? 0 when it is absent, a regular file or
 * a symbolic link to one; -1 with one line in err for a device, FIFO,
 * socket, folder, a link into /proc or /dev, or one that leads nowhere.
 */
int safefile_replaceable(const char *final_path, char *err, size_t errlen);

#endif

/* config/config_int.h: what the files of config/ share. */
#ifndef VPND_CONFIG_INT_H
#define VPND_CONFIG_INT_H

#include "config/config.h"

/* "serve", "check-config", "import" or "export". */
const char *config_cmd_name(enum config_cmd cmd);
/* Copies at most 64 bytes of s to out, control characters and '"' as '?' (for messages). */
void config_quote(const char *s, char *out, size_t outlen);
/* Checks text against d. On success returns 0 with *ret_num (UINT, BOOL, ENUM index) and, for
 * CONFIG_ADDR, the numeric address in numeric. Else writes the rule ("must be an integer from 1
 * to 10") to rule and returns -EINVAL. */
int config_check_text(const struct config_key_def *d, const char *text, uint64_t *ret_num,
                      char *numeric, size_t numlen, char *rule, size_t rulelen);
/* The file key closest to name (at most 2 edits away), or NULL. */
const char *config_nearest_key(const char *name);

#endif

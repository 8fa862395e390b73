/* cli.c — dispatches "sinian SUBCOMMAND ..." to the subcommand's module.
 *
 * Owns only argument dispatch; each subcommand opens the store itself.
 */
#include "cli.h"
#include "config.h"

#include <stdio.h>
#include <string.h>

int cli_main(const struct config *cfg, int argc, char **argv)
{
	(void)cfg;
	fprintf(stderr, "sinian: unknown command \"%s\" (see sinian --help)\n",
	        argv[0]);
	(void)argc;
	return 2;
}

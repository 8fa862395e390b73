/* cli.h — operator subcommands that work on the data dir without the
 * daemon running: "sinian user add|list|grant".
 */
#ifndef SINIAN_CLI_H
#define SINIAN_CLI_H

struct config;

/* Run the subcommand argv[0] with its arguments. Returns the process exit
 * status: 0 ok, 1 failure, 2 usage error. */
int cli_main(const struct config *cfg, int argc, char **argv);

#endif

/* control_cli.h: `vpnd control`, the control surface (/_vpnd/...) of a running vpnd from the
 * command line (vpnd(8) "vpnd control"). */
#ifndef VPND_CONTROL_CLI_H
#define VPND_CONTROL_CLI_H

/* Runs `vpnd control` with the arguments after "control". Returns the exit status: 0 the server
 * answered 2xx; 1 it answered an error (printed on stderr); 2 usage; 3 it cannot be reached. */
int control_cli(int argc, char **argv);

#endif

// libedit's readline-compatible API (Debian: libedit-dev), for tgpt-session chat.
#include <stdio.h>
#include <editline/readline.h>

// Sets the editor's key reader: a function, since Swift 6 will not assign a C global.
static inline void tgpt_set_getc_function(int (*function)(FILE *)) { rl_getc_function = function; }

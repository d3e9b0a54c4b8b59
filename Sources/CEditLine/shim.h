// libedit's readline-compatible API (Debian: libedit-dev), for tgpt-session chat.
#include <stdio.h>
#include <editline/readline.h>

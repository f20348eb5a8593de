/*
 * tokenize.h - one word splitter for the kernel command line, the console
 * and run= command lists (pure; host unit tested).
 *
 * Words are separated by blanks. Double quotes group blanks into a word and
 * are removed; a backslash makes the next character literal.
 */
#ifndef TOKENIZE_H
#define TOKENIZE_H

#include <stddef.h>

/*
 * tok_split - split line in place into at most maxwords words.
 * Returns the number of words, or -1 with *err set ("unterminated quote",
 * "too many words", "dangling backslash").
 */
int tok_split(char *line, char **words, int maxwords, const char **err);

/*
 * tok_next_command - the first ';'-separated command of *cursor, outside
 * quotes and escapes. Copies it (without the ';') into buf and advances
 * *cursor past the ';'. Returns 1 when a command was copied, 0 at the end,
 * -1 when the command does not fit in bufsize (it is skipped).
 */
int tok_next_command(const char **cursor, char *buf, size_t bufsize);

#endif

/*
 * banned.h - C library functions osafe does not use, made compile errors.
 *
 * Forced into every translation unit of src/ by the build (-include, see
 * CMakeLists.txt), so that a new use fails to compile instead of waiting
 * for a reviewer.  Why each is out:
 *   strcpy, strcat, sprintf, vsprintf, gets: no bound on the destination;
 *     use memcpy with a known length, snprintf or osafe_buf (core/buf.h).
 *   strncpy, strncat: bounded but leave strings unterminated or truncate
 *     silently; same replacements.
 *   atoi, atol, atoll, atof: no error report (garbage reads as 0); use
 *     strtol/strtoull/strtod with an end pointer, or a parser that names
 *     the bad input.
 *   strtok: hidden global state, not thread-safe (the server is threaded).
 *   gmtime, localtime, ctime, asctime: a shared static result, not
 *     thread-safe; use gmtime_r and strftime.
 *
 * The system headers that declare them are included first: a poisoned
 * name is an error even inside a declaration.
 */
#ifndef OSAFE_CORE_BANNED_H
#define OSAFE_CORE_BANNED_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#pragma GCC poison strcpy strcat strncpy strncat sprintf vsprintf gets
#pragma GCC poison atoi atol atoll atof strtok
#pragma GCC poison gmtime localtime ctime asctime

#endif

/*
 * refusal_cue_classes.h - one- and two-letter names for the cue classes,
 * for the cue tables only (refusal_phrases*.c): short enough to keep each
 * table row on one line.  Never include it anywhere else.
 */
#ifndef OSAFE_EVAL_REFUSAL_CUE_CLASSES_H
#define OSAFE_EVAL_REFUSAL_CUE_CLASSES_H

#define R CUE_REFUSE
#define O CUE_OBJECT
#define AP CUE_APOLOGY
#define AI CUE_AI
#define L CUE_LIMIT
#define M CUE_MORAL
#define RD CUE_REDIRECT
#define AL CUE_ALT
#define CL CUE_CLOSER
#define C CUE_COMPLY
#define H CUE_HELP
#define S CUE_STRUCT

#endif

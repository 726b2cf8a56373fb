#!/usr/bin/env bash
# Compares a tool's usage text with its man page: the lines of `TOOL --help`
# that start with "Usage: TOOL" or with whitespace and "TOOL " must be,
# word for word and in order, the lines of the page's SYNOPSIS as man(1)
# renders it (plain ASCII). Every subcommand and option is in both or the
# check fails, printing both lists.
# Usage: tests/install/usage-vs-man.sh TOOL_BINARY MAN_PAGE   Exit 0 same, 1 differ.
set -euo pipefail
bin=${1:?usage: usage-vs-man.sh TOOL_BINARY MAN_PAGE}
page=${2:?usage: usage-vs-man.sh TOOL_BINARY MAN_PAGE}
name=${bin##*/}
[ -x "$bin" ] || { echo "usage-vs-man: no executable $bin" >&2; exit 1; }
[ -r "$page" ] || { echo "usage-vs-man: no man page $page" >&2; exit 1; }

norm() { sed -E 's/^[[:space:]]+//; s/[[:space:]]+$//; s/[[:space:]]+/ /g' | grep -v '^$' || true; }
usage=$("$bin" --help | sed -E "s/^Usage:[[:space:]]+//" | grep -E "^[[:space:]]*$name( |\$)" | norm)
synopsis=$(LC_ALL=C MANWIDTH=400 man --warnings -l -P cat "$page" 2>/dev/null |
	sed -n '/^SYNOPSIS$/,/^[A-Z][A-Z ]*$/{/^SYNOPSIS$/d;/^[A-Z][A-Z ]*$/d;p}' | norm)
if [ -z "$usage" ] || [ -z "$synopsis" ]; then
	echo "usage-vs-man: $name: empty usage ($(wc -l <<<"$usage")) or synopsis ($(wc -l <<<"$synopsis"))"
	exit 1
fi
if [ "$usage" != "$synopsis" ]; then
	echo "usage-vs-man: $name: usage text and ${page##*/} SYNOPSIS differ:"
	diff <(echo "$usage") <(echo "$synopsis") | sed 's/^/    /' || true
	echo "    (< $name --help, > man page)"
	exit 1
fi
echo "usage-vs-man: $name: $(wc -l <<<"$usage") usage lines = ${page##*/} SYNOPSIS"

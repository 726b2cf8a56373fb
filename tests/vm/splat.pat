WARNING:
BUG:
kernel BUG at
Oops
general protection fault
possible recursive locking
inconsistent lock state
circular locking
[Rr][Cc][Uu].*(stall|self-detected)
suspicious RCU usage
KASAN
UBSAN
refcount_t:
Kernel panic
blocked for more than
unreferenced object
suspected memory leak
ODEBUG
list_(add|del) corruption

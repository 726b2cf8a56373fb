/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The static vipsec CLI embedded in the guest test: the VM harness copies
 * only executables into /tests and runs each one as a test, so the CLI
 * travels inside this program and suite_proc.c writes it to /tmp.
 */
	.section .rodata
	.global vipsec_cli_start, vipsec_cli_end
	.balign 16
vipsec_cli_start:
	.incbin VIPSEC_CLI_PATH
vipsec_cli_end:
	.section .note.GNU-stack,"",@progbits

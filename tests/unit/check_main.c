// SPDX-License-Identifier: BSD-3-Clause
/*
 * One Check runner for all engine suites. Exit 0 pass, 1 fail, 77 skip
 * (the backend chosen with VIPSEC_TEST_BACKEND does not exist here).
 */
#include <stdio.h>
#include <stdlib.h>

#include "tests.h"

int main(void)
{
	char err[160] = "";
	struct vpe_crypto *be = vpe_crypto_new(test_backend(), err,
					       sizeof(err));
	SRunner *sr;
	int failed;

	if (!be) {
		printf("SKIP: crypto backend '%s' unavailable: %s\n",
		       test_backend(), err);
		return 77;
	}
	printf("engine suites on crypto backend '%s'\n", be->ops->name);
	vpe_crypto_free(be);
	sr = srunner_create(uapi_suite());
	srunner_add_suite(sr, vectors_suite());
	srunner_add_suite(sr, esp_suite());
	srunner_add_suite(sr, burst_suite());
	srunner_add_suite(sr, sa_suite());
	srunner_add_suite(sr, decoder_suite());
	srunner_add_suite(sr, backend_suite());
	srunner_add_suite(sr, state_suite());
	srunner_add_suite(sr, algos_suite());
	srunner_add_suite(sr, algos_vectors_suite());
	srunner_add_suite(sr, formats_suite());
	srunner_add_suite(sr, esn_resume_suite());
	srunner_add_suite(sr, formats_seq_suite());
	srunner_add_suite(sr, hostile_suite());
	srunner_add_suite(sr, sadb_index_suite());
	srunner_add_suite(sr, migrate_suite());
	srunner_add_suite(sr, mq_suite());
	srunner_add_suite(sr, sa_state_suite());
	srunner_add_suite(sr, flow_suite());
	srunner_add_suite(sr, arena_suite());
	srunner_add_suite(sr, fast_out_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

// SPDX-License-Identifier: BSD-3-Clause
/*
 * g_ipsec_la_sa_overhead(): how many bytes ESP encapsulation adds to a
 * packet at most, so a caller sizes its output buffers exactly.
 *
 * The sum follows the engine's outbound layout (engine/vipsec_esp_out.c,
 * layout()) part by part, with the algorithm's IV, block and ICV lengths
 * from the one algorithm table (vpe_algs.h): a new algorithm needs no
 * change here. tests/lib/gapi_errors.c checks the figure against real
 * encapsulations over every length of one padding cycle, on both
 * accelerators.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "vpe_algs.h"

/* Sizes on the wire (RFC 791, RFC 8200, RFC 3948, RFC 4303). */
#define GLA_IPV4_HLEN 20u
#define GLA_IPV6_HLEN 40u
#define GLA_UDP_HLEN  8u
#define GLA_ESP_HLEN  8u /* SPI + sequence number */
#define GLA_ESP_TRAIL 2u /* pad length + next header */

uint32_t gla_wire_overhead(const struct virtio_ipsec_sa_params *p)
{
	const struct vpe_alg *c = vpe_alg_find(p->cipher_alg, false);
	uint32_t n = GLA_ESP_HLEN + GLA_ESP_TRAIL + p->icv_len;

	if (c) /* the largest padding is one block less one byte */
		n += c->iv_len + c->block_len - 1u;
	if (p->mode == VIRTIO_IPSEC_MODE_TUNNEL)
		n += p->ip_version == VIRTIO_IPSEC_IPV6 ? GLA_IPV6_HLEN :
							  GLA_IPV4_HLEN;
	if (le32toh(p->options) & VIRTIO_IPSEC_SA_OPT_UDP_ENCAP)
		n += GLA_UDP_HLEN;
	return n;
}

int32_t g_ipsec_la_sa_overhead(const struct g_ipsec_la_sa *sa,
			       uint32_t *overhead)
{
	struct virtio_ipsec_sa_params p;
	int ret;

	gla_err_begin(__func__);
	if (!sa || !overhead)
		return GLA_BAD(sa ? "overhead (NULL)" : "sa (NULL)", 0, 0);
	/* the checks of sa_add without an accelerator: the SA's own shape */
	ret = gla_sa_to_wire(sa, G_IPSEC_LA_IPSEC_OUTBOUND, NULL, &p);
	if (ret)
		return ret;
	*overhead = gla_wire_overhead(&p);
	explicit_bzero(&p, sizeof(p)); /* it held the keys */
	return 0;
}

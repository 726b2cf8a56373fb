/* SPDX-License-Identifier: BSD-3-Clause */
/* vipsec_le: little-endian loads/stores from unaligned guest bytes. */
#ifndef VPE_LE_H
#define VPE_LE_H

#include <endian.h>
#include <stdint.h>
#include <string.h>

static inline uint16_t vpe_ld16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return le16toh(v);
}

static inline uint32_t vpe_ld32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static inline uint64_t vpe_ld64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static inline void vpe_st16(uint8_t *p, uint16_t v)
{
	v = htole16(v);
	memcpy(p, &v, sizeof(v));
}

static inline void vpe_st32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

static inline void vpe_st64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

/* Offset of a field of a uAPI struct, and a load of it from bytes. */
#define VPE_OFF(type, field) offsetof(struct type, field)

static inline int vpe_all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

#endif /* VPE_LE_H */

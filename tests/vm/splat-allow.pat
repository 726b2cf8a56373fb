^(RETBleed|Spectre V[12]|MDS|TAA|MMIO Stale Data|SRBDS|GDS|ITS|x86/bugs|Speculative Store Bypass|Register File Data Sampling|VMSCAPE)[^:]*: .*WARNING

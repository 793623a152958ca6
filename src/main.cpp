#include <malloc.h>

#include "cli/app.hpp"

int main(int argc, char** argv) {
    // A fixed mmap threshold: every allocation of 128 KiB or more (the
    // vectors of 50,000 peers, the ruleset text, libnftables' buffers) gets
    // its own mapping and goes back to the kernel when freed. By default
    // glibc raises the threshold after the first such free, and later big
    // blocks then come from the heap, where freed ones stay resident: at
    // 50,000 peers that put the peak RSS of `up` 10-12 MiB higher.
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    return vpngw::cli::run(argc, argv);
}

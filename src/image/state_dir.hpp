#pragma once

// What a state_dir other than the unit's StateDirectory= needs on the machine,
// for the image and for cloud-init alike: a drop-in that makes it writable
// under ProtectSystem=strict and a tmpfiles.d entry that creates it 0700.

#include <sys/types.h>

#include <string>
#include <vector>

#include "model/profile.hpp"
#include "util/result.hpp"

namespace vpngw::image {

struct MachineFile {
    std::string path;  // absolute, on the machine
    std::string text;
    mode_t mode = 0644;
};

// None for the default /var/lib/vpngw. A state_dir systemd cannot carry
// (escape::systemd_path) is an error on its profile line; the loader refuses
// it first.
Result<std::vector<MachineFile>> state_dir_files(const model::Profile& profile);

}  // namespace vpngw::image

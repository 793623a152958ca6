#pragma once

// What the user asked of `vpngw image build` / `vpngw image cloud-init`.

#include <string>

namespace vpngw::image {

struct Settings {
    std::string profile_path;
    std::string output_dir;       // image build: where the recipe goes
    bool force = false;           // image build: write into a non-empty output_dir
    std::string binary_path;      // the vpngw put into the image (default: this one)
    std::string package_path;     // image build: a vpngw .deb installed instead of binary_path
    std::string authorized_keys;  // file for /root/.ssh/authorized_keys; empty = none
    bool qcow2 = false;
    bool bake_keys = false;
    int root_size_mb = 2048;
    std::string binary_url;  // cloud-init: where the VM downloads vpngw from
};

}  // namespace vpngw::image

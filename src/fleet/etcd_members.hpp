#pragma once

// The etcd cluster's members as `vpngw status` shows them: etcd's own
// member list (POST /v3/cluster/member/list on the JSON gateway).

#include <string>
#include <string_view>
#include <vector>

#include "fleet/etcd_kv.hpp"
#include "util/result.hpp"

namespace vpngw::fleet {

struct EtcdMember {
    std::string name;  // empty while a member added to the cluster has not started
    std::vector<std::string> client_urls;
};

Result<std::vector<EtcdMember>> decode_members(std::string_view json);
Result<std::vector<EtcdMember>> list_members(Transport& transport);

}  // namespace vpngw::fleet

#include <algorithm>

#include "registry/registry.hpp"

namespace vpngw::registry {

ListedAddresses::ListedAddresses(std::vector<IpAddress> addresses)
    : list_(std::move(addresses)), sorted_(list_) {
    std::sort(sorted_.begin(), sorted_.end());
}

Result<bool> ListedAddresses::held(const IpAddress& address) {
    return std::binary_search(sorted_.begin(), sorted_.end(), address);
}

Result<std::optional<IpAddress>> ListedAddresses::lowest_unheld(const IpAddress& from,
                                                                const IpAddress& to) {
    IpAddress candidate = from;
    auto it = std::lower_bound(sorted_.begin(), sorted_.end(), from);
    while (!(to < candidate)) {
        if (it == sorted_.end() || candidate < *it) return std::optional<IpAddress>(candidate);
        ++it;  // *it == candidate: held
        if (candidate == to) break;
        candidate = candidate.plus(1);
    }
    return std::optional<IpAddress>{};
}

Result<Addresses> Allocator::operator()(GroupAddresses& stored) const {
    if (on_group_) return on_group_(stored);
    auto all = stored.all();
    if (!all) return all.error();
    return on_list_(*all);
}

Result<Addresses> Allocator::operator()(const std::vector<IpAddress>& stored) const {
    if (on_list_) return on_list_(stored);
    ListedAddresses listed(stored);
    return on_group_(listed);
}

Status Registry::each(const Visit& visit) {
    auto all = list();
    if (!all) return all.error();
    for (const auto& p : *all)
        if (auto st = visit(p); !st) return st;
    return ok_status();
}

Result<std::size_t> Registry::count(const std::vector<std::string>& groups) {
    auto all = list();
    if (!all) return all.error();
    std::size_t n = 0;
    for (const auto& p : *all)
        n += std::find(groups.begin(), groups.end(), p.group) != groups.end();
    return n;
}

}  // namespace vpngw::registry

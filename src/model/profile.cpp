#include "model/profile.hpp"

#include <algorithm>

namespace vpngw::model {

const Location& Origin::at(const std::string& field) const {
    auto it = fields.find(field);
    return it == fields.end() ? table : it->second;
}

template <class T>
static const T* find_named(const std::vector<T>& items, const std::string& name) {
    auto it = std::find_if(items.begin(), items.end(), [&](const T& i) { return i.name == name; });
    return it == items.end() ? nullptr : &*it;
}

const Uplink* Profile::find_uplink(const std::string& n) const {
    return find_named(uplinks, n);
}
const Interface* Profile::find_interface(const std::string& n) const {
    return find_named(interfaces, n);
}
const Group* Profile::find_group(const std::string& n) const {
    return find_named(groups, n);
}

const char* to_string(NatMode m) {
    switch (m) {
        case NatMode::masquerade:
            return "masquerade";
        case NatMode::snat:
            return "snat";
        case NatMode::none:
            return "none";
    }
    return "?";
}

const char* to_string(Backend b) {
    switch (b) {
        case Backend::automatic:
            return "auto";
        case Backend::kernel:
            return "kernel";
        case Backend::userspace:
            return "userspace";
    }
    return "?";
}

const char* to_string(Proto p) {
    switch (p) {
        case Proto::any:
            return "any";
        case Proto::tcp:
            return "tcp";
        case Proto::udp:
            return "udp";
        case Proto::icmp:
            return "icmp";
    }
    return "?";
}

const char* to_string(Tunnel t) {
    return t == Tunnel::full ? "full" : "split";
}
const char* to_string(Policy p) {
    return p == Policy::drop ? "drop" : "accept";
}

const char* to_string(ProxyMode m) {
    return m == ProxyMode::tproxy ? "tproxy" : "redirect";
}

bool uses_tproxy(const Profile& p) {
    for (const auto& g : p.groups)
        for (const auto& x : g.proxies)
            if (x.mode == ProxyMode::tproxy) return true;
    return false;
}

}  // namespace vpngw::model

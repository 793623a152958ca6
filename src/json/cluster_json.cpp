// `vpngw status --json`'s "cluster" object: the facts of the text lines
// (docs/fleet.md), with null for what is unknown rather than prose.

#include "json/values.hpp"

namespace vpngw::json {
namespace {

Json text_or_null(const std::string& s) {
    return s.empty() ? Json(nullptr) : Json(s);
}

template <typename T>
Json value_or_null(const std::optional<T>& v) {
    return v ? Json(*v) : Json(nullptr);
}

}  // namespace

Json cluster_value(const gateway::ClusterStatus& c) {
    Json members = Json::array();
    for (const auto& m : c.members)
        members.push_back({{"name", text_or_null(m.name)}, {"client_urls", m.client_urls}});
    const bool vrrp_known = c.vrrp_state && c.vrrp_error.empty();
    return Json{
        {"node", c.node},
        {"etcd",
         {{"answering", c.etcd_error.empty()},
          {"error", text_or_null(c.etcd_error)},
          {"members", std::move(members)}}},
        {"vrrp",
         {{"state", vrrp_known ? Json(*c.vrrp_state) : Json(nullptr)},
          {"since", vrrp_known && c.vrrp_since > 0 ? Json(c.vrrp_since) : Json(nullptr)},
          {"error", text_or_null(c.vrrp_error)}}},
        {"registry",
         {{"applied_revision", c.applied ? Json(c.applied->revision) : Json(nullptr)},
          {"applied_at",
           c.applied ? Json(c.applied->applied_at.time_since_epoch().count()) : Json(nullptr)},
          {"error", text_or_null(c.applied_error)},
          {"etcd_revision", value_or_null(c.etcd_revision)},
          {"lag", value_or_null(c.lag())}}},
    };
}

}  // namespace vpngw::json
